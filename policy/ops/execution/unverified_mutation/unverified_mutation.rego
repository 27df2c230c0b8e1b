# METADATA
# title: "Every mutating step is verified"
# description: "A step whose command changes something (per the collector's command facts) carries a verification, or the next step is a non-mutating one that carries it."
# custom:
#   code: ops/unverified-mutation
#   severity: error
package gatehouse.ops.execution.unverified_mutation

import data.gatehouse.lib.findings

steps := input.log.steps

# METADATA
# title: deny
# description: A mutating step with no verification after it.
deny contains findings.finding(
	"ops/unverified-mutation",
	sprintf("step %d (%s) changes something but nothing verifies it", [step.number, step.command]),
	findings.at(sprintf("/log/steps/%d", [i])),
) if {
	some i, fact in input.facts
	step := input.log.steps[i]
	fact.mutating
	not step.verification
	not verified_by_next(i)
}

verified_by_next(i) if {
	not input.facts[i + 1].mutating
	steps[i + 1].verification
}
