# METADATA
# title: "Restricted outputs carry redaction evidence"
# description: "An output labelled restricted may only be promoted with sensitivity.redaction (method and evidence) showing it was redacted."
# custom:
#   code: promotion/redaction-missing
#   severity: error
package gatehouse.promotion.redaction

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A restricted output without redaction evidence.
deny contains findings.finding(
	"promotion/redaction-missing",
	sprintf("output %s is restricted but has no redaction evidence", [object.get(output, "path", object.get(output, "uri", ""))]),
	findings.at(sprintf("/receipt/document/outputs/%d/sensitivity", [i])),
) if {
	some i, output in input.receipt.document.outputs
	output.sensitivity.label == "restricted"
	not output.sensitivity.redaction.evidence
}
