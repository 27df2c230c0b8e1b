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

# The collector's test facts: test/a.test.ts exists and the change modified it.
touched := {"files": [{"file": "test/a.test.ts", "exists": true, "test": true, "change": "modified", "calls": [], "callsAtBase": []}]}

meta := {"change": "contracts/param-removed", "symbol": "src/a.ts#greet", "severity": "BREAKING", "callSites": []}

test_fail_no_decision if {
	got := breaking_approval.deny with input as {"changes": [change], "tests": touched, "decisions": []}
	got == {{
		"code": "contracts/breaking-unapproved",
		"msg": "BREAKING contracts/param-removed: parameter b was removed; no decision approves it (no call sites)",
		"location": {"pointer": "/changes/0"}, "metadata": meta, "suggested_fix": breaking_approval.fix,
	}}
}

test_fail_stale_decision if {
	second := object.union(change, {"fingerprint": "f2", "message": "parameter a was removed"})
	got := breaking_approval.deny with input as {"changes": [second], "tests": touched, "decisions": [decision({})]}
	got == {{
		"code": "contracts/breaking-unapproved",
		"msg": "BREAKING contracts/param-removed: parameter a was removed; no decision approves it; contracts/decisions/d1.json was written for another change (its fingerprint differs): write a new decision (no call sites)",
		"location": {"pointer": "/changes/0"}, "metadata": meta, "suggested_fix": breaking_approval.fix,
	}}
}

test_fail_incomplete_decision if {
	placed := object.union(change, {"file": "src/a.ts", "line": 3})
	got := breaking_approval.deny with input as {"changes": [placed], "tests": touched, "decisions": [decision({"migrationPlan": "", "rollback": " ", "impactedConsumers": []})]}
	got == {{
		"code": "contracts/decision-incomplete",
		"msg": "contracts/decisions/d1.json: decision d1 approving BREAKING contracts/param-removed on src/a.ts#greet is incomplete, missing: impactedConsumers, migrationPlan, rollback",
		"location": {"file": "contracts/decisions/d1.json", "pointer": "/changes/0"}, "metadata": meta,
	}}
}

test_success_complete_decision if {
	got := breaking_approval.deny with input as {"changes": [change], "tests": touched, "decisions": [decision({})]}
	got == set()
}

test_success_one_complete_among_incomplete if {
	incomplete := {"file": "contracts/decisions/d0.json", "decision": object.union(decision({}).decision, {"decisionId": "d0", "tests": []})}
	got := breaking_approval.deny with input as {"changes": [change], "tests": touched, "decisions": [incomplete, decision({})]}
	got == set()
}

incomplete(missing) := {{
	"code": "contracts/decision-incomplete",
	"msg": sprintf("contracts/decisions/d1.json: decision d1 approving BREAKING contracts/param-removed on src/a.ts#greet is incomplete, missing: %s", [missing]),
	"location": {"file": "contracts/decisions/d1.json", "pointer": "/changes/0"}, "metadata": meta,
}}

test_fail_named_test_does_not_exist if {
	facts := {"files": [{"file": "test/gone.test.ts", "exists": false, "test": true, "calls": [], "callsAtBase": []}]}
	got := breaking_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({"tests": ["test/gone.test.ts"]})]}
	got == incomplete("tests: test/gone.test.ts does not exist")
}

test_fail_named_test_without_facts_does_not_exist if {
	got := breaking_approval.deny with input as {"changes": [change], "tests": {"files": []}, "decisions": [decision({})]}
	got == incomplete("tests: test/a.test.ts does not exist")
}

test_fail_named_test_untouched_and_not_calling if {
	facts := {"files": [{"file": "test/a.test.ts", "exists": true, "test": true, "calls": ["src/a.ts#other"], "callsAtBase": []}]}
	got := breaking_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({})]}
	got == incomplete("tests: none of test/a.test.ts was added or modified by the change or calls greet")
}

test_fail_named_source_file_is_no_test if {
	facts := {"files": [
		{"file": "src/b.ts", "exists": true, "test": false, "change": "modified", "calls": ["src/a.ts#greet"], "callsAtBase": []},
		{"file": "test/a.test.ts", "exists": true, "test": true, "change": "modified", "calls": [], "callsAtBase": []},
	]}
	got := breaking_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({"tests": ["src/b.ts", "test/a.test.ts"]})]}
	got == incomplete("tests: src/b.ts is not a test file")
}

test_success_named_test_untouched_but_calling if {
	facts := {"files": [{"file": "test/a.test.ts", "exists": true, "test": true, "calls": ["src/a.ts#greet"], "callsAtBase": []}]}
	got := breaking_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({})]}
	got == set()
}

test_success_one_of_two_named_tests_touched if {
	facts := {"files": [
		{"file": "test/a.test.ts", "exists": true, "test": true, "change": "added", "calls": [], "callsAtBase": []},
		{"file": "test/b.test.ts", "exists": true, "test": true, "calls": [], "callsAtBase": []},
	]}
	got := breaking_approval.deny with input as {"changes": [change], "tests": facts, "decisions": [decision({"tests": ["test/a.test.ts", "test/b.test.ts"]})]}
	got == set()
}
