# METADATA
# title: "Schemas have a title and a description"
# description: "Every schema states what it describes: a non-empty title and description."
# custom:
#   code: schemas/undocumented
#   severity: error
package gatehouse.schemas.documented

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Schemas have a title and a description.
deny contains findings.finding(
	"schemas/undocumented",
	sprintf("%s: schema needs a non-empty %s", [input.file, field]),
	findings.at(concat("", ["/schema/", field])),
) if {
	some field in ["title", "description"]
	not non_empty(object.get(input.schema, field, ""))
}

non_empty(s) if {
	is_string(s)
	trim_space(s) != ""
}
