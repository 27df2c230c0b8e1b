# METADATA
# title: "A READ_ONLY operation runs no mutating command"
# description: "With RISK_CLASS READ_ONLY, a step whose command changes something (collector facts) denies."
# custom:
#   code: ops/read-only-changed
#   severity: error
package gatehouse.ops.execution.read_only_mutation

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A mutating step in a READ_ONLY operation.
deny contains findings.finding(
	"ops/read-only-changed",
	sprintf("step %d (%s) changes something, but %q is READ_ONLY", [step.number, step.command, input.declaration.OPERATION_NAME]),
	findings.at(sprintf("/log/steps/%d/command", [i])),
) if {
	input.declaration.RISK_CLASS == "READ_ONLY"
	some i, fact in input.facts
	step := input.log.steps[i]
	fact.mutating
}
