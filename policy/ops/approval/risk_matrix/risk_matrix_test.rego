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

# What the collector (src/ops/approval.ts) fills in for ASCII names: trimmed and lower-cased.
normalized(e) := {
	"requested_by": lower(trim_space(e.requested_by)),
	"approved_by": lower(trim_space(e.approved_by)),
	"rollback_ref": trim_space(e.rollback_ref),
}

with_entry(patch, solo_allowed) := {
	"entry": object.union(entry, patch),
	"settings": {"solo_allowed": solo_allowed},
	"normalized": normalized(object.union(entry, patch)),
}

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

test_fail_look_alike_approver_is_the_requester if {
	# The raw names differ (a Cyrillic a); the normalised identities are the same person.
	look_alike := object.union(with_entry({"approved_by": "\u0430lice"}, false), {"normalized": {"requested_by": "alice", "approved_by": "alice", "rollback_ref": "runbooks/nginx.md#rollback"}})
	got := risk_matrix.deny with input as look_alike
	got == {{
		"code": "ops/self-approval",
		"msg": "OPS-2026-11-21-001: SERVICE_RESTART needs an approver other than the requester (approved_by \"\u0430lice\", requested_by \"alice\")",
		"location": {"pointer": "/entry/approved_by"},
	}}
}

test_fail_rollback_ref_blank_after_normalisation if {
	# rollback_ref is a zero-width space: blank once invisible characters are dropped.
	blank := object.union(with_entry({"rollback_ref": "\u200b"}, false), {"normalized": {"requested_by": "alice", "approved_by": "bob", "rollback_ref": ""}})
	got := risk_matrix.deny with input as blank
	got == {{
		"code": "ops/missing-rollback-ref",
		"msg": "OPS-2026-11-21-001: SERVICE_RESTART needs a rollback_ref",
		"location": {"pointer": "/entry/rollback_ref"},
	}}
}
