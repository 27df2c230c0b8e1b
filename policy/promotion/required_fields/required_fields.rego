# METADATA
# title: "A receipt names outputs that can be verified on disk"
# description: "The schema checks shape; this rule checks what promotion needs on top: at least one output, and a path for every output (an output known only by uri cannot be hashed, so it cannot be promoted)."
# custom:
#   code: promotion/required-field-missing
#   severity: error
package gatehouse.promotion.required_fields

import data.gatehouse.lib.findings

# METADATA
# title: deny
# scope: document
# description: A receipt with no outputs, or an output without a path.
deny contains findings.finding(
	"promotion/required-field-missing",
	"the receipt lists no outputs: there is nothing to promote",
	findings.at("/receipt/document/outputs"),
) if {
	count(input.receipt.document.outputs) == 0
}

deny contains findings.finding(
	"promotion/required-field-missing",
	sprintf("output %d has no path (only a uri), so it cannot be verified on disk", [i]),
	findings.at(sprintf("/receipt/document/outputs/%d", [i])),
) if {
	some i, output in input.receipt.document.outputs
	not output.path
}
