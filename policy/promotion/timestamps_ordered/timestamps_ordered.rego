# METADATA
# title: "A run finishes after it starts"
# description: "finishedAt before startedAt means the receipt's clock, or the receipt, cannot be trusted. An unparsable timestamp counts as inconsistent."
# custom:
#   code: promotion/timestamps-inverted
#   severity: error
package gatehouse.promotion.timestamps_ordered

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: finishedAt is before startedAt.
deny contains findings.finding(
	"promotion/timestamps-inverted",
	sprintf("finishedAt %s is not at or after startedAt %s", [receipt.finishedAt, receipt.startedAt]),
	findings.at("/receipt/document/finishedAt"),
) if {
	not ordered
}

receipt := input.receipt.document

ordered if time.parse_rfc3339_ns(receipt.finishedAt) >= time.parse_rfc3339_ns(receipt.startedAt)
