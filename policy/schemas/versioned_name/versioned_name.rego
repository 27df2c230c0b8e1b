# METADATA
# title: "Schema file names carry their version"
# description: "A schema file must be named <name>.v<N>.schema.json so versions can live side by side."
# custom:
#   code: schemas/unversioned-name
#   severity: error
package gatehouse.schemas.versioned_name

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Schema file names carry their version.
deny contains findings.finding(
	"schemas/unversioned-name",
	sprintf("%s: schema file names must look like <name>.v<N>.schema.json", [input.file]),
	{},
) if {
	not input.versioned
}
