# METADATA
# title: "Step timestamps strictly increase"
# description: "Each step's UTC timestamp is later than the one before it, so the log is in the order things happened (compared as the collector's fixed-width UTC text)."
# custom:
#   code: ops/timestamps-not-increasing
#   severity: error
package gatehouse.ops.execution.timestamps

import data.gatehouse.lib.findings

steps := input.log.steps

# METADATA
# title: deny
# description: A step not later than its predecessor.
deny contains findings.finding(
	"ops/timestamps-not-increasing",
	sprintf("step %d at %s is not after step %d at %s", [step.number, step.timestamp, before.number, before.timestamp]),
	findings.at(sprintf("/log/steps/%d/timestamp", [i])),
) if {
	some i, step in steps
	i > 0

	# facts[i].utc is fixed-width UTC text (collector), so string order is time order.
	input.facts[i].utc <= input.facts[i - 1].utc
	before := steps[i - 1]
}
