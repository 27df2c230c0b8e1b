# METADATA
# title: "The execution log belongs to the declared operation"
# description: "The log's operation_name equals the declaration's OPERATION_NAME, and when both carry an operation id they are the same."
# custom:
#   code: ops/log-mismatch
#   severity: error
package gatehouse.ops.execution.log_matches

import data.gatehouse.lib.findings

# METADATA
# scope: document
# title: deny
# description: A log of another operation.
deny contains findings.finding(
	"ops/log-mismatch",
	sprintf("the log is for %q, the declaration for %q", [input.log.operation_name, input.declaration.OPERATION_NAME]),
	findings.at("/log/operation_name"),
) if {
	input.log.operation_name != input.declaration.OPERATION_NAME
}

deny contains findings.finding(
	"ops/log-mismatch",
	sprintf("the log is for %s, the declaration for %s", [input.log.operation_id, input.declaration.OPERATION_ID]),
	findings.at("/log/operation_id"),
) if {
	input.log.operation_id != input.declaration.OPERATION_ID
}
