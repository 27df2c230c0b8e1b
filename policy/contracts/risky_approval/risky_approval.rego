# METADATA
# title: "RISKY contract changes need an approving decision that names tests"
# description: |
#   A RISKY change (default changed, declared errors changed, return type narrowed, side effect
#   requalified, stability downgraded, Python annotation changed) passes only with a covering
#   APPROVE or APPROVE_WITH_CONDITIONS decision that names tests and an approver.
# custom:
#   code: contracts/risky-unapproved
#   severity: error
package gatehouse.contracts.risky_approval

import data.gatehouse.lib.contracts
import data.gatehouse.lib.findings

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
# title: fix
# description: The next step for a RISKY change without an approving decision.
fix := concat("", [
	"run `gatehouse contracts decide` to scaffold a decision in the decisions ",
	"directory, name its tests and approver, run `gatehouse contracts accept`, and ",
	"declare RISKY in the PR's Contract Impact box",
])

approved_with_tests(change) if {
	some entry in contracts.approvals(change)
	count(entry.decision.tests) > 0
	trim_space(entry.decision.approvedBy) != ""
}
