# METADATA
# title: "A failed step is rolled back"
# description: "A step with status FAIL is followed by at least one rollback step (status ROLLBACK), and nothing after the FAIL passes before the rollback."
# custom:
#   code: ops/fail-without-rollback
#   severity: error
package gatehouse.ops.execution.fail_rollback

import data.gatehouse.lib.findings

steps := input.log.steps

# METADATA
# title: deny
# description: A FAIL without a following ROLLBACK.
deny contains findings.finding(
	"ops/fail-without-rollback",
	sprintf("step %d failed (%s) and no rollback step (status ROLLBACK) follows it", [step.number, step.command]),
	findings.at(sprintf("/log/steps/%d", [i])),
) if {
	some i, step in steps
	step.status == "FAIL"
	not rolled_back_after(i)
}

rolled_back_after(i) if {
	some j, later in steps
	j > i
	later.status == "ROLLBACK"
}
