# METADATA
# title: "Outputs stay inside the receipt's directory"
# description: >-
#   An output path that leaves the receipt's directory, through `..`, an absolute path or a symlink, could make
#   the gate hash a file the run never owned; so could an output with several hard links (its other names cannot
#   be shown to be inside). A manifest path hint that leaves the directory is refused the same way.
# custom:
#   codes:
#     - promotion/path-escape
#     - promotion/hard-link
#   severity: error
package gatehouse.promotion.path_escape

import data.gatehouse.lib.findings

# METADATA
# scope: document
# title: deny
# description: An output path or manifest hint that escapes the root, or a hard-linked output.
deny contains findings.finding(
	"promotion/path-escape",
	sprintf("output %s escapes the receipt's directory (%s)", [output.path, object.get(output.actual, "detail", "")]),
	findings.at(sprintf("/receipt/document/outputs/%d/path", [output.index])),
) if {
	some output in input.outputs
	output.actual.status == "escapes"
}

deny contains findings.finding(
	"promotion/path-escape",
	sprintf("%s, so it was not read", [concat("; ", input.manifest.problems)]),
	findings.at("/receipt/document/manifest/path"),
) if {
	input.manifest.status == "escapes"
}

deny contains findings.finding(
	"promotion/hard-link",
	sprintf("output %s is a hard link (%s): promote a file with one name", [output.path, object.get(output.actual, "detail", "")]),
	findings.at(sprintf("/receipt/document/outputs/%d/path", [output.index])),
) if {
	some output in input.outputs
	output.actual.status == "hard-linked"
}
