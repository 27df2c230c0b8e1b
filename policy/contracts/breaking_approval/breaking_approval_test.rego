package gatehouse.contracts.breaking_approval_test

import data.gatehouse.contracts.breaking_approval

change := {
	"code": "contracts/param-removed", "severity": "BREAKING", "id": "src/a.ts#greet", "fingerprint": "f1", "symbol": {"name": "greet", "module": "src/a.ts"},
	"language": "typescript", "message": "parameter b was removed", "callSites": [],
}

decision(extra) := {"file": "contracts/decisions/d1.json", "decision": object.union(
	{
		"decisionId": "d1", "decision": "APPROVE_WITH_CONDITIONS", "reasons": ["ok"], "changes": [{"code": "contracts/param-removed", "symbol": "src/a.ts#greet", "fingerprint": "f1"}],
		"impactedConsumers": ["src/b.ts"], "requiredActions": ["update b"], "migrationPlan": "drop the argument", "rollback": "revert",
		"tests": ["test/a.test.ts"], "approvedBy": "lead", "createdAt": "2026-01-01T00:00:00Z",
	},
	extra,
)}

meta := {"change": "contracts/param-removed", "symbol": "src/a.ts#greet", "severity": "BREAKING", "callSites": []}

test_fail_no_decision if {
	got := breaking_approval.deny with input as {"changes": [change], "decisions": []}
	got == {{
		"code": "contracts/breaking-unapproved",
		"msg": "BREAKING contracts/param-removed: parameter b was removed; no decision approves it (no call sites)",
		"location": {"pointer": "/changes/0"}, "metadata": meta, "suggested_fix": breaking_approval.fix,
	}}
}

test_fail_stale_decision if {
	second := object.union(change, {"fingerprint": "f2", "message": "parameter a was removed"})
	got := breaking_approval.deny with input as {"changes": [second], "decisions": [decision({})]}
	got == {{
		"code": "contracts/breaking-unapproved",
		"msg": "BREAKING contracts/param-removed: parameter a was removed; no decision approves it; contracts/decisions/d1.json was written for another change (its fingerprint differs): write a new decision (no call sites)",
		"location": {"pointer": "/changes/0"}, "metadata": meta, "suggested_fix": breaking_approval.fix,
	}}
}

test_fail_incomplete_decision if {
	placed := object.union(change, {"file": "src/a.ts", "line": 3})
	got := breaking_approval.deny with input as {"changes": [placed], "decisions": [decision({"migrationPlan": "", "rollback": " ", "impactedConsumers": []})]}
	got == {{
		"code": "contracts/decision-incomplete",
		"msg": "contracts/decisions/d1.json: decision d1 approving BREAKING contracts/param-removed on src/a.ts#greet is incomplete, missing: impactedConsumers, migrationPlan, rollback",
		"location": {"file": "contracts/decisions/d1.json", "pointer": "/changes/0"}, "metadata": meta,
	}}
}

test_success_complete_decision if {
	got := breaking_approval.deny with input as {"changes": [change], "decisions": [decision({})]}
	got == set()
}

test_success_one_complete_among_incomplete if {
	incomplete := {"file": "contracts/decisions/d0.json", "decision": object.union(decision({}).decision, {"decisionId": "d0", "tests": []})}
	got := breaking_approval.deny with input as {"changes": [change], "decisions": [incomplete, decision({})]}
	got == set()
}
