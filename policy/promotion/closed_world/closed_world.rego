# METADATA
# title: "A closed output directory holds only declared outputs"
# description: |
#   When the receipt declares closedOutputs, or promote verify runs with --closed, every file in
#   the output directory must be one of the receipt's outputs: an extra file was produced, or
#   slipped in, without being hashed, labelled or licensed.
# custom:
#   code: promotion/output-undeclared
#   severity: error
package gatehouse.promotion.closed_world

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A file in the closed output directory that no output declares.
deny contains findings.finding(
	"promotion/output-undeclared",
	sprintf("%s is in the closed output directory %s but is not a declared output", [entry.path, input.closedWorld.directory]),
	{"location": {"file": entry.file}},
) if {
	some entry in input.closedWorld.undeclared
}

# METADATA
# title: deny
# description: The closed output directory cannot be listed, so nothing shows it is closed.
deny contains findings.finding(
	"promotion/output-undeclared",
	sprintf("closed output directory %s: %s", [input.closedWorld.directory, input.closedWorld.problem]),
	findings.at("/closedOutputs"),
) if {
	input.closedWorld.problem
}
