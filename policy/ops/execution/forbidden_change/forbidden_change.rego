# METADATA
# title: "No firewall, network or user-permission changes when forbidden"
# description: "A command classified as a firewall, network or user-permission change (collector facts) denies when NOT_ALLOWED.changes lists that category."
# custom:
#   code: ops/forbidden-change
#   severity: error
package gatehouse.ops.execution.forbidden_change

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A forbidden category of change.
deny contains findings.finding(
	"ops/forbidden-change",
	sprintf("step %d (%s) is a %s change, which NOT_ALLOWED forbids", [step.number, step.command, category]),
	findings.at(sprintf("/log/steps/%d/command", [i])),
) if {
	some i, fact in input.facts
	step := input.log.steps[i]
	some category in fact.categories
	category in input.declaration.NOT_ALLOWED.changes
}
