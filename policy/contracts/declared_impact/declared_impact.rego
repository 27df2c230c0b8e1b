# METADATA
# title: "The PR declares at least the detected contract impact"
# description: |
#   The pull request's Contract Impact (None, SAFE, RISKY, BREAKING) must not be lower than the
#   impact detected in the code; no declaration counts as RISKY.
# custom:
#   code: contracts/impact-understated
#   severity: error
package gatehouse.contracts.declared_impact

import data.gatehouse.lib.findings

rank := {"NONE": 0, "SAFE": 1, "RISKY": 2, "BREAKING": 3}

declared := input.declaredImpact.value if input.declaredImpact.value != null

declared := "RISKY" if input.declaredImpact.value == null

# METADATA
# title: deny
# description: Declared impact lower than detected.
deny contains findings.finding(
	"contracts/impact-understated",
	sprintf("contract impact detected %s but the PR declares %s%s; set Contract Impact in the PR description", [input.detected, declared, shown_source]),
	{"location": {"pointer": "/declaredImpact"}},
) if {
	rank[declared] < rank[input.detected]
}

shown_source := "" if input.declaredImpact.value != null

shown_source := " (nothing declared counts as RISKY)" if input.declaredImpact.value == null
