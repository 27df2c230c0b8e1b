package gatehouse.lib.contracts_test

import data.gatehouse.lib.contracts

change := {"code": "contracts/param-removed", "id": "a.ts#f", "symbol": {"name": "f", "module": "a.ts"}, "fingerprint": "f1", "severity": "BREAKING", "callSites": [{"file": "b.ts", "line": 3}]}

decision(kind, extra) := object.union(
	{
		"decisionId": "d1", "decision": kind, "reasons": ["r"], "changes": [{"code": "contracts/param-removed", "symbol": "a.ts#f", "fingerprint": "f1"}],
		"impactedConsumers": ["b.ts"], "requiredActions": [], "migrationPlan": "m", "rollback": "r", "tests": ["t"],
		"approvedBy": "x", "createdAt": "2026-01-01T00:00:00Z",
	},
	extra,
)

facts(extra) := {"files": [object.union({"file": "t", "exists": true, "test": true, "calls": [], "callsAtBase": []}, extra)]}

test_success_complete_approval if {
	contracts.complete_approval(change) with input as {"tests": facts({"calls": ["a.ts#f"]}), "decisions": [{"file": "d1.json", "decision": decision("APPROVE", {})}]}
}

test_fail_approval_with_unreal_tests_is_incomplete if {
	entries := [{"file": "d1.json", "decision": decision("APPROVE", {})}]
	not contracts.complete_approval(change) with input as {"tests": facts({}), "decisions": entries}
	contracts.incomplete_fields(decision("APPROVE", {}), change) == {"tests: none of t was added or modified by the change or calls f"} with input as {"tests": facts({})}
	contracts.decision_test_problems(decision("APPROVE", {}), change) == {"tests: t does not exist"} with input as {"tests": facts({"exists": false})}
	contracts.decision_test_problems(decision("APPROVE", {}), change) == set() with input as {"tests": facts({"change": "added"})}
	contracts.decision_test_problems(decision("APPROVE", {}), change) == set() with input as {"tests": facts({"change": "modified"})}
	contracts.decision_test_problems(decision("APPROVE", {}), change) == {"tests: none of t was added or modified by the change or calls f"} with input as {"tests": facts({"change": "deleted"})}
}

test_fail_incomplete_approval if {
	d := decision("APPROVE_WITH_CONDITIONS", {"migrationPlan": " ", "tests": []})
	contracts.missing_fields(d) == {"migrationPlan", "tests"}
	not contracts.complete_approval(change) with input as {"decisions": [{"file": "d1.json", "decision": d}]}
}

test_fail_stale_decision_approves_nothing if {
	# Written for the first parameter removal of a.ts#f; this is another change of the same symbol.
	second := object.union(change, {"fingerprint": "f2"})
	entries := [{"file": "d1.json", "decision": decision("APPROVE", {})}]
	count(contracts.approvals(second)) == 0 with input as {"decisions": entries}
	contracts.stale(second) == ["d1.json"] with input as {"decisions": entries}
	contracts.stale_note(second) == "; d1.json was written for another change (its fingerprint differs): write a new decision" with input as {"decisions": entries}
	contracts.stale_note(change) == "" with input as {"decisions": entries}
}

test_fail_deny_is_no_approval if {
	count(contracts.approvals(change)) == 0 with input as {"decisions": [{"file": "d1.json", "decision": decision("DENY", {})}]}
}

test_success_extra if {
	contracts.change_extra(2, change) == {
		"location": {"pointer": "/changes/2"},
		"metadata": {"change": "contracts/param-removed", "symbol": "a.ts#f", "severity": "BREAKING", "callSites": [{"file": "b.ts", "line": 3}]},
	}
	contracts.sites(change) == " (1 call sites: b.ts:3)"
}

test_success_extra_with_place if {
	placed := object.union(change, {"file": "a.ts", "line": 7})
	contracts.change_extra(0, placed).location == {"pointer": "/changes/0", "file": "a.ts", "line": 7}
}
