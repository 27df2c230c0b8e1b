# METADATA
# title: "Ops changes stay inside ALLOWED_PATHS"
# description: "Every changed file (and the old path of a rename) matches an ALLOWED_PATHS glob of the declaration; the operation's own paperwork is exempt."
# custom:
#   code: ops/change-outside-scope
#   severity: error
package gatehouse.ops.change.outside_scope

import data.gatehouse.lib.findings
import data.gatehouse.ops.lib.scope

# METADATA
# title: deny
# description: A changed path outside ALLOWED_PATHS.
deny contains findings.finding(
	"ops/change-outside-scope",
	sprintf("%s (%s) is outside ALLOWED_PATHS %v of %q", [path, change.status, input.declaration.ALLOWED_PATHS, input.declaration.OPERATION_NAME]),
	{"location": {"file": path}, "scope": "change"},
) if {
	some change in input.changes
	some path in touched(change)
	not path in input.exempt
	not scope.path_matches(input.declaration.ALLOWED_PATHS, path)
}

touched(change) := {change.path, change.old_path} if change.old_path
touched(change) := {change.path} if not change.old_path
