# METADATA
# title: "A READ_ONLY operation changes nothing"
# description: "With RISK_CLASS READ_ONLY any changed file other than the operation's own paperwork denies."
# custom:
#   code: ops/read-only-changed
#   severity: error
package gatehouse.ops.change.read_only

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A change in a READ_ONLY operation.
deny contains findings.finding(
	"ops/read-only-changed",
	sprintf("%s (%s) changed, but %q is READ_ONLY", [change.path, change.status, input.declaration.OPERATION_NAME]),
	{"location": {"file": change.path}, "scope": "change"},
) if {
	input.declaration.RISK_CLASS == "READ_ONLY"
	some change in input.changes
	not change.path in input.exempt
}
