# METADATA
# title: "Every output exists as a readable regular file"
# description: "An output the receipt names but the disk does not have (deleted, a directory, a dangling link, unreadable) cannot be promoted."
# custom:
#   code: promotion/output-missing
#   severity: error
package gatehouse.promotion.output_present

import data.gatehouse.lib.findings

absent := {"missing", "not-a-file", "unreadable"}

# METADATA
# title: deny
# description: An output that is not a readable file on disk.
deny contains findings.finding(
	"promotion/output-missing",
	sprintf("output %s is %s on disk (%s)", [output.path, output.actual.status, object.get(output.actual, "detail", "")]),
	findings.at(sprintf("/receipt/document/outputs/%d/path", [output.index])),
) if {
	some output in input.outputs
	output.actual.status in absent
}
