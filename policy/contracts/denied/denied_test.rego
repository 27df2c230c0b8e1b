package gatehouse.contracts.denied_test

import data.gatehouse.contracts.denied

change := {
	"code": "contracts/symbol-removed", "severity": "BREAKING", "id": "m.py#load", "fingerprint": "f1", "symbol": {"name": "load", "module": "m.py"},
	"language": "python", "message": "m.py#load was removed", "callSites": [{"file": "n.py", "line": 2}],
}

decision(kind) := {"file": "contracts/decisions/no.json", "decision": {
	"decisionId": "no", "decision": kind, "reasons": ["callers remain"], "changes": [{"code": "contracts/symbol-removed", "symbol": "m.py#load", "fingerprint": "f1"}],
	"impactedConsumers": [], "requiredActions": [], "migrationPlan": "", "rollback": "", "tests": [], "approvedBy": "lead", "createdAt": "2026-01-01T00:00:00Z",
}}

test_fail_denied if {
	got := denied.deny with input as {"changes": [change], "decisions": [decision("DENY")]}
	got == {{
		"code": "contracts/change-denied",
		"msg": "m.py#load: change contracts/symbol-removed is denied by decision no (contracts/decisions/no.json) (1 call sites: n.py:2)",
		"location": {"pointer": "/changes/0"},
		"metadata": {"change": "contracts/symbol-removed", "symbol": "m.py#load", "severity": "BREAKING", "callSites": [{"file": "n.py", "line": 2}]},
	}}
}

test_success_approved if {
	got := denied.deny with input as {"changes": [change], "decisions": [decision("APPROVE")]}
	got == set()
}
