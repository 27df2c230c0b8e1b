# METADATA
# title: "No writes to forbidden streams or queues"
# description: "A stream, topic or queue a command publishes to (collector facts) matches no NOT_ALLOWED stream glob."
# custom:
#   code: ops/forbidden-stream
#   severity: error
package gatehouse.ops.execution.forbidden_stream

import data.gatehouse.lib.findings
import data.gatehouse.ops.lib.scope

# METADATA
# title: deny
# description: A publish to a forbidden stream.
deny contains findings.finding(
	"ops/forbidden-stream",
	sprintf("step %d publishes to %s, which NOT_ALLOWED forbids", [step.number, stream]),
	findings.at(sprintf("/log/steps/%d/command", [i])),
) if {
	some i, fact in input.facts
	step := input.log.steps[i]
	some stream in fact.streams
	scope.name_matches(input.declaration.NOT_ALLOWED.streams, stream)
}
