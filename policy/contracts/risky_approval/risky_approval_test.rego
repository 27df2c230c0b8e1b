package gatehouse.contracts.risky_approval_test

import data.gatehouse.contracts.risky_approval

change := {
	"code": "contracts/default-changed", "severity": "RISKY", "id": "src/a.ts#retry", "fingerprint": "f1", "symbol": {"name": "retry", "module": "src/a.ts"},
	"language": "typescript", "message": "default changed", "callSites": [{"file": "src/b.ts", "line": 4}],
}

decision(extra) := {"file": "contracts/decisions/d1.json", "decision": object.union(
	{
		"decisionId": "d1", "decision": "APPROVE", "reasons": ["ok"], "changes": [{"code": "contracts/default-changed", "symbol": "src/a.ts#retry", "fingerprint": "f1"}],
		"impactedConsumers": [], "requiredActions": [], "migrationPlan": "", "rollback": "", "tests": ["test/a.test.ts"],
		"approvedBy": "lead", "createdAt": "2026-01-01T00:00:00Z",
	},
	extra,
)}

expected := {{
	"code": "contracts/risky-unapproved",
	"msg": "RISKY contracts/default-changed: default changed; needs an approving decision in the decisions directory that names tests (1 call sites: src/b.ts:4)",
	"location": {"pointer": "/changes/0"},
	"metadata": {"change": "contracts/default-changed", "symbol": "src/a.ts#retry", "severity": "RISKY", "callSites": [{"file": "src/b.ts", "line": 4}]},
	"suggested_fix": risky_approval.fix,
}}

test_fail_no_decision if {
	got := risky_approval.deny with input as {"changes": [change], "decisions": []}
	got == expected
}

test_fail_decision_without_tests if {
	got := risky_approval.deny with input as {"changes": [change], "decisions": [decision({"tests": []})]}
	got == expected
}

test_fail_deny_decision if {
	got := risky_approval.deny with input as {"changes": [change], "decisions": [decision({"decision": "DENY"})]}
	got == expected
}

test_success_approved_with_tests if {
	got := risky_approval.deny with input as {"changes": [change], "decisions": [decision({})]}
	got == set()
}

test_success_safe_changes_pass if {
	got := risky_approval.deny with input as {"changes": [object.union(change, {"severity": "SAFE", "code": "contracts/symbol-added"})], "decisions": []}
	got == set()
}
