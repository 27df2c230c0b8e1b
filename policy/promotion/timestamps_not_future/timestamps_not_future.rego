# METADATA
# title: "Timestamps are not in the future"
# description: "startedAt and finishedAt may be ahead of the gate's injected clock (time.now_ns) by at most settings.maxClockSkewSeconds. Unparsable timestamps deny too."
# custom:
#   code: promotion/timestamp-in-future
#   severity: error
package gatehouse.promotion.timestamps_not_future

import data.gatehouse.lib.findings

fields := ["startedAt", "finishedAt"]

# METADATA
# title: deny
# description: A timestamp beyond now plus the allowed skew.
deny contains findings.finding(
	"promotion/timestamp-in-future",
	sprintf("%s %s is in the future by more than %d s of allowed clock skew", [field, value, input.settings.maxClockSkewSeconds]),
	findings.at(sprintf("/receipt/document/%s", [field])),
) if {
	some field in fields
	value := input.receipt.document[field]
	not within_skew(value)
}

within_skew(timestamp) if {
	time.parse_rfc3339_ns(timestamp) <= time.now_ns() + (input.settings.maxClockSkewSeconds * 1000000000)
}
