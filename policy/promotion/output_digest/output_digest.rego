# METADATA
# title: "Outputs on disk match their declared digest and size"
# description: "Each output the collector hashed must have the sha256 and byte count the receipt declares; anything else means the artifact on disk is not the one the run produced."
# custom:
#   codes:
#     - promotion/digest-mismatch
#     - promotion/size-mismatch
#   severity: error
package gatehouse.promotion.output_digest

import data.gatehouse.lib.findings

# METADATA
# title: deny
# scope: document
# description: Declared and actual sha256 or size differ.
deny contains findings.finding(
	"promotion/digest-mismatch",
	sprintf("output %s: sha256 on disk is %s, the receipt declares %s", [output.path, output.actual.sha256, output.declared.sha256]),
	findings.at(sprintf("/receipt/document/outputs/%d/digest/sha256", [output.index])),
) if {
	some output in input.outputs
	output.actual.status == "ok"
	output.actual.sha256 != output.declared.sha256
}

deny contains findings.finding(
	"promotion/size-mismatch",
	sprintf("output %s: %d bytes on disk, the receipt declares %d", [output.path, output.actual.bytes, output.declared.bytes]),
	findings.at(sprintf("/receipt/document/outputs/%d/bytes", [output.index])),
) if {
	some output in input.outputs
	output.actual.status == "ok"
	output.actual.bytes != output.declared.bytes
}
