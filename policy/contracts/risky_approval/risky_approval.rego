# METADATA
# title: "RISKY contract changes need an approving decision that names tests"
# description: |
#   A RISKY change (default changed, declared errors changed, return type narrowed, side effect
#   requalified, stability downgraded, Python annotation changed) passes only with a covering
#   APPROVE or APPROVE_WITH_CONDITIONS decision that names tests and an approver. The tests must
#   be real: every test the decision names exists at the head of the change, and one of them was
#   added or modified by the change or calls the changed symbol; otherwise the decision is
#   reported as incomplete.
# custom:
#   codes:
#     - contracts/risky-unapproved
#     - contracts/decision-incomplete
#   severity: error
package gatehouse.contracts.risky_approval

import data.gatehouse.lib.contracts
import data.gatehouse.lib.findings

# METADATA
# title: fix
# description: The next step for a RISKY change without an approving decision.
fix := concat("", [
	"run `gatehouse contracts decide` to scaffold a decision in the decisions ",
	"directory, name its tests and approver, run `gatehouse contracts accept`, and ",
	"declare RISKY in the PR's Contract Impact box",
])

# METADATA
# title: deny
# description: A RISKY change without an approving decision that names tests.
deny contains findings.finding(
	"contracts/risky-unapproved",
	sprintf("RISKY %s: %s; needs an approving decision in the decisions directory that names tests%s%s", [change.code, change.message, contracts.stale_note(change), contracts.sites(change)]),
	object.union(contracts.change_extra(i, change), {"suggested_fix": fix}),
) if {
	some i, change in input.changes
	change.severity == "RISKY"
	not approved_with_tests(change)
}

# METADATA
# title: deny
# description: The approvals of a RISKY change name tests, but none whose tests are real.
deny contains findings.finding(
	"contracts/decision-incomplete",
	sprintf("%s: decision %s approving RISKY %s on %s is incomplete: %s", [entry.file, entry.decision.decisionId, change.code, change.id, concat("; ", sort(problems))]),
	{"location": {"file": entry.file, "pointer": sprintf("/changes/%d", [i])}, "metadata": contracts.change_extra(i, change).metadata},
) if {
	some i, change in input.changes
	change.severity == "RISKY"
	approved_with_tests(change)
	not approved_with_real_tests(change)
	some entry in contracts.approvals(change)
	problems := contracts.decision_test_problems(entry.decision, change)
	count(problems) > 0
}

approved_with_real_tests(change) if {
	some entry in contracts.approvals(change)
	count(entry.decision.tests) > 0
	trim_space(entry.decision.approvedBy) != ""
	count(contracts.decision_test_problems(entry.decision, change)) == 0
}

approved_with_tests(change) if {
	some entry in contracts.approvals(change)
	count(entry.decision.tests) > 0
	trim_space(entry.decision.approvedBy) != ""
}
