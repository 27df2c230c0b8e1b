# METADATA
# title: "Ops changes never touch NOT_ALLOWED paths"
# description: "A changed file (or the old path of a rename) matching a NOT_ALLOWED path or secret glob denies, even inside ALLOWED_PATHS and even for paperwork."
# custom:
#   code: ops/change-forbidden-path
#   severity: error
package gatehouse.ops.change.forbidden_path

import data.gatehouse.lib.findings
import data.gatehouse.ops.lib.scope

# METADATA
# title: deny
# description: A changed path matching a NOT_ALLOWED glob.
deny contains findings.finding(
	"ops/change-forbidden-path",
	sprintf("%s (%s) matches NOT_ALLOWED of %q", [path, change.status, input.declaration.OPERATION_NAME]),
	{"location": {"file": path}, "scope": "change"},
) if {
	some change in input.changes
	some path in [change.path, object.get(change, "old_path", change.path)]
	scope.path_reaches(scope.forbidden_globs(input.declaration), path)
}
