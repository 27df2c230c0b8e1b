# METADATA
# title: "The receipt carries provenance"
# description: "provenance.source (where the outputs come from) and provenance.attribution (who must be credited) are required for promotion."
# custom:
#   code: promotion/provenance-missing
#   severity: error
package gatehouse.promotion.provenance_present

import data.gatehouse.lib.findings

markers := ["source", "attribution"]

# METADATA
# title: deny
# description: A provenance marker is missing.
deny contains findings.finding(
	"promotion/provenance-missing",
	sprintf("the receipt has no provenance.%s", [marker]),
	findings.at(sprintf("/receipt/document/provenance/%s", [marker])),
) if {
	some marker in markers
	not object.get(input.receipt.document, ["provenance", marker], false)
}
