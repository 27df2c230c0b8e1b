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

touched := {"files": [{"file": "test/a.test.ts", "exists": true, "test": true, "change": "modified", "calls": [], "callsAtBase": []}]}

expected := {{
	"code": "contracts/risky-unapproved",
	"msg": "RISKY contracts/default-changed: default changed; needs an approving decision in the decisions directory that names tests (1 call sites: src/b.ts:4)",
	"location": {"pointer": "/changes/0"},
	"metadata": {"change": "contracts/default-changed", "symbol": "src/a.ts#retry", "severity": "RISKY", "callSites": [{"file": "src/b.ts", "line": 4}]},
	"suggested_fix": risky_approval.fix,
}}

test_fail_no_decision if {
	got := risky_approval.deny with input as {"changes": [change], "tests": touched, "decisions": []}
	got == expected
}

test_fail_decision_without_tests if {
	got := risky_approval.deny with input as {"changes": [change], "tests": touched, "decisions": [decision({"tests": []})]}
	got == expected
}

test_fail_deny_decision if {
	got := risky_approval.deny with input as {"changes": [change], "tests": touched, "decisions": [decision({"decision": "DENY"})]}
	got == expected
}

test_success_approved_with_tests if {
	got := risky_approval.deny with input as {"changes": [change], "tests": touched, "decisions": [decision({})]}
	got == set()
}

test_success_safe_changes_pass if {
	got := risky_approval.deny with input as {"changes": [object.union(change, {"severity": "SAFE", "code": "contracts/symbol-added"})], "tests": touched, "decisions": []}
	got == set()
}

incomplete(problems) := {{
	"code": "contracts/decision-incomplete",
	"msg": sprintf("contracts/decisions/d1.json: decision d1 approving RISKY contracts/default-changed on src/a.ts#retry is incomplete: %s", [problems]),
	"location": {"file": "contracts/decisions/d1.json", "pointer": "/changes/0"},
	"metadata": {"change": "contracts/default-changed", "symbol": "src/a.ts#retry", "severity": "RISKY", "callSites": [{"file": "src/b.ts", "line": 4}]},
}}

test_fail_named_test_does_not_exist if {
	facts := {"files": [{"file": "test/a.test.ts", "exists": false, "test": true, "calls": [], "callsAtBase": []}]}
	got := risky_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({})]}
	got == incomplete("tests: test/a.test.ts does not exist")
}

test_fail_named_test_untouched_and_not_calling if {
	facts := {"files": [{"file": "test/a.test.ts", "exists": true, "test": true, "calls": [], "callsAtBase": ["src/a.ts#retry"]}]}
	got := risky_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({})]}
	got == incomplete("tests: none of test/a.test.ts was added or modified by the change or calls retry")
}

test_success_named_test_calls_the_symbol if {
	facts := {"files": [{"file": "test/a.test.ts", "exists": true, "test": true, "calls": ["src/a.ts#retry"], "callsAtBase": []}]}
	got := risky_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({})]}
	got == set()
}
