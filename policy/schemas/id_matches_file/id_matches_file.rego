# METADATA
# title: "Schema $id matches its file name"
# description: "A schema's $id is https://gatehouse.dev/schemas/<file>, so $refs and the registry agree on its name."
# custom:
#   code: schemas/id-mismatch
#   severity: error
package gatehouse.schemas.id_matches_file

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Schema $id matches its file name.
deny contains findings.finding(
	"schemas/id-mismatch",
	sprintf("%s: $id must be %s", [input.file, expected]),
	findings.at("/schema/$id"),
) if {
	expected := concat("", ["https://gatehouse.dev/schemas/", input.file])
	object.get(input.schema, "$id", "") != expected
}
