package gatehouse.contracts.declared_impact_test

import data.gatehouse.contracts.declared_impact

doc(declared, detected) := {"declaredImpact": {"value": declared, "source": "pr-body:body.md"}, "detected": detected}

test_fail_understated if {
	got := declared_impact.deny with input as doc("SAFE", "BREAKING")
	got == {{
		"code": "contracts/impact-understated",
		"msg": "contract impact detected BREAKING but the PR declares SAFE; set Contract Impact in the PR description",
		"location": {"pointer": "/declaredImpact"},
	}}
}

test_fail_undeclared_counts_as_risky if {
	got := declared_impact.deny with input as doc(null, "BREAKING")
	got == {{
		"code": "contracts/impact-understated",
		"msg": "contract impact detected BREAKING but the PR declares RISKY (nothing declared counts as RISKY); set Contract Impact in the PR description",
		"location": {"pointer": "/declaredImpact"},
	}}
}

test_success_declared_enough if {
	declared_impact.deny == set() with input as doc("BREAKING", "BREAKING")
	declared_impact.deny == set() with input as doc("RISKY", "SAFE")
	declared_impact.deny == set() with input as doc(null, "RISKY")
	declared_impact.deny == set() with input as doc("NONE", "NONE")
}
