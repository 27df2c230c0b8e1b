# METADATA
# title: "Outputs stay inside the receipt's directory"
# description: "An output path that leaves the receipt's directory, through `..`, an absolute path or a symlink, could make the gate hash a file the run never owned."
# custom:
#   code: promotion/path-escape
#   severity: error
package gatehouse.promotion.path_escape

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: An output path that escapes the root.
deny contains findings.finding(
	"promotion/path-escape",
	sprintf("output %s escapes the receipt's directory (%s)", [output.path, object.get(output.actual, "detail", "")]),
	findings.at(sprintf("/receipt/document/outputs/%d/path", [output.index])),
) if {
	some output in input.outputs
	output.actual.status == "escapes"
}
