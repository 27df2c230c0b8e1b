package gatehouse.contracts.deprecated_replacement_test

import data.gatehouse.contracts.deprecated_replacement

change := {
	"code": "contracts/deprecated-removed", "severity": "BREAKING", "id": "a.ts#count", "symbol": {"name": "count", "module": "a.ts"},
	"language": "typescript", "message": "deprecated a.ts#count was removed", "callSites": [],
}

test_fail_no_replacement if {
	got := deprecated_replacement.deny with input as {"changes": [change]}
	got == {{
		"code": "contracts/deprecated-removal-without-replacement",
		"msg": "a.ts#count: deprecated contract removed without naming its replacement (@deprecated Use <replacement>) (no call sites)",
		"location": {"pointer": "/changes/0"},
		"metadata": {"change": "contracts/deprecated-removed", "symbol": "a.ts#count", "severity": "BREAKING", "callSites": []},
	}}
}

test_success_replacement_named if {
	got := deprecated_replacement.deny with input as {"changes": [object.union(change, {"replacement": "total"})]}
	got == set()
}
