package gatehouse.ops.approval.risk_matrix_test

import data.gatehouse.ops.approval.risk_matrix

entry := {
	"operation_id": "OPS-2026-11-21-001",
	"operation_name": "restart nginx",
	"requested_by": "alice",
	"approved_by": "bob",
	"approval_timestamp": "2026-11-21T01:00:00Z",
	"execution_timestamp": "2026-11-21T01:10:00Z",
	"risk_class": "SERVICE_RESTART",
	"blast_radius": "web-1",
	"changes_summary": "restart nginx",
	"rollback_ref": "runbooks/nginx.md#rollback",
	"outcome": "SUCCESS",
	"notes": "",
}

with_entry(patch, solo_allowed) := {"entry": object.union(entry, patch), "settings": {"solo_allowed": solo_allowed}}

test_success_second_approver if {
	got := risk_matrix.deny with input as with_entry({}, false)
	got == set()
}

test_fail_self_approved_restart_even_when_solo_allowed if {
	got := risk_matrix.deny with input as with_entry({"approved_by": "SELF", "rollback_ref": " "}, true)
	got == {
		{
			"code": "ops/self-approval",
			"msg": "OPS-2026-11-21-001: SERVICE_RESTART needs an approver other than the requester (approved_by \"SELF\", requested_by \"alice\")",
			"location": {"pointer": "/entry/approved_by"},
		},
		{
			"code": "ops/missing-rollback-ref",
			"msg": "OPS-2026-11-21-001: SERVICE_RESTART needs a rollback_ref",
			"location": {"pointer": "/entry/rollback_ref"},
		},
	}
}

test_fail_requester_approves_own_filesystem_write if {
	got := risk_matrix.deny with input as with_entry({"approved_by": "Alice", "risk_class": "FILESYSTEM_WRITE"}, true)
	got == {{
		"code": "ops/self-approval",
		"msg": "OPS-2026-11-21-001: FILESYSTEM_WRITE needs an approver other than the requester (approved_by \"Alice\", requested_by \"alice\")",
		"location": {"pointer": "/entry/approved_by"},
	}}
}

test_fail_solo_when_not_allowed if {
	got := risk_matrix.deny with input as with_entry({"approved_by": "SELF", "risk_class": "READ_ONLY", "rollback_ref": ""}, false)
	got == {{
		"code": "ops/solo-not-allowed",
		"msg": "OPS-2026-11-21-001: solo approval (approved_by \"SELF\") is not allowed by this project's policy (ops.soloAllowed)",
		"location": {"pointer": "/entry/approved_by"},
	}}
}

test_success_solo_allowed_for_low_risk if {
	got := risk_matrix.deny with input as with_entry({"approved_by": "SELF", "risk_class": "LOW_RISK_CONFIG", "rollback_ref": ""}, true)
	got == set()
}
