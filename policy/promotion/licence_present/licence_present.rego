# METADATA
# title: "Every output has a licence"
# description: "An output carries an SPDX licence id, its own or the receipt's provenance.licence; without one it cannot be shared or shown."
# custom:
#   code: promotion/licence-missing
#   severity: error
package gatehouse.promotion.licence_present

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: An output with no licence of its own and none in the receipt's provenance.
deny contains findings.finding(
	"promotion/licence-missing",
	sprintf("output %s has no licence (set outputs[].licence or provenance.licence)", [object.get(output, "path", object.get(output, "uri", ""))]),
	findings.at(sprintf("/receipt/document/outputs/%d", [i])),
) if {
	some i, output in input.receipt.document.outputs
	not output.licence
	not input.receipt.document.provenance.licence
}
