# METADATA
# title: "Schemas use JSON Schema 2020-12"
# description: "Every schema declares $schema https://json-schema.org/draft/2020-12/schema, the dialect ajv compiles in strict mode."
# custom:
#   code: schemas/wrong-dialect
#   severity: error
package gatehouse.schemas.dialect

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Schemas use JSON Schema 2020-12.
deny contains findings.finding(
	"schemas/wrong-dialect",
	sprintf("%s: $schema must be %s", [input.file, draft_2020_12]),
	findings.at("/schema/$schema"),
) if {
	object.get(input.schema, "$schema", "") != draft_2020_12
}

draft_2020_12 := "https://json-schema.org/draft/2020-12/schema"
