# METADATA
# title: "Top-level object schemas are closed"
# description: "gatehouse's own formats reject unknown fields: a top-level object schema sets additionalProperties (or unevaluatedProperties) to false."
# custom:
#   code: schemas/open-object
#   severity: error
package gatehouse.schemas.closed

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Top-level object schemas are closed.
deny contains findings.finding(
	"schemas/open-object",
	sprintf("%s: a top-level object schema must set additionalProperties: false", [input.file]),
	findings.at("/schema/additionalProperties"),
) if {
	input.schema.type == "object"
	object.get(input.schema, "additionalProperties", true) != false
	object.get(input.schema, "unevaluatedProperties", true) != false
}
