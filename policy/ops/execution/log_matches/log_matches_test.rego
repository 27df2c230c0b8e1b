package gatehouse.ops.execution.log_matches_test

import data.gatehouse.ops.execution.log_matches

doc(log) := {"declaration": {"OPERATION_NAME": "restart nginx", "OPERATION_ID": "OPS-2026-11-21-001"}, "log": log}

test_success_same_operation if {
	got := log_matches.deny with input as doc({"operation_name": "restart nginx", "operation_id": "OPS-2026-11-21-001"})
	got == set()
}

test_success_log_without_id if {
	got := log_matches.deny with input as doc({"operation_name": "restart nginx"})
	got == set()
}

test_fail_other_operation if {
	got := log_matches.deny with input as doc({"operation_name": "restart redis", "operation_id": "OPS-2026-11-20-004"})
	got == {
		{"code": "ops/log-mismatch", "msg": "the log is for \"restart redis\", the declaration for \"restart nginx\"", "location": {"pointer": "/log/operation_name"}},
		{"code": "ops/log-mismatch", "msg": "the log is for OPS-2026-11-20-004, the declaration for OPS-2026-11-21-001", "location": {"pointer": "/log/operation_id"}},
	}
}
