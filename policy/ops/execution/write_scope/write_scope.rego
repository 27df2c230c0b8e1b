# METADATA
# title: "Commands write only inside ALLOWED_PATHS"
# description: "A path a command writes (redirection, tee, cp/mv/rm/mkdir/touch, sed -i, chmod/chown; collector facts) matches ALLOWED_PATHS and no NOT_ALLOWED path or secret glob."
# custom:
#   code: ops/write-out-of-scope
#   severity: error
package gatehouse.ops.execution.write_scope

import data.gatehouse.lib.findings
import data.gatehouse.ops.lib.scope

# METADATA
# scope: document
# title: deny
# description: A write outside ALLOWED_PATHS or inside NOT_ALLOWED.
deny contains findings.finding(
	"ops/write-out-of-scope",
	sprintf("step %d writes %s, outside ALLOWED_PATHS %v", [step.number, path, input.declaration.ALLOWED_PATHS]),
	findings.at(sprintf("/log/steps/%d/command", [i])),
) if {
	some i, fact in input.facts
	step := input.log.steps[i]
	some path in fact.writes
	not scope.path_matches(input.declaration.ALLOWED_PATHS, path)
}

deny contains findings.finding(
	"ops/write-out-of-scope",
	sprintf("step %d writes %s, which NOT_ALLOWED forbids", [step.number, path]),
	findings.at(sprintf("/log/steps/%d/command", [i])),
) if {
	some i, fact in input.facts
	step := input.log.steps[i]
	some path in array.concat(fact.writes, object.get(fact, "reaches", []))
	scope.path_reaches(scope.forbidden_globs(input.declaration), path)
}
