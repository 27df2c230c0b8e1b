# METADATA
# title: "BREAKING contract changes need a complete approving decision"
# description: |
#   A BREAKING change passes only with an APPROVE or APPROVE_WITH_CONDITIONS decision bound to it
#   (same code, symbol and fingerprint) that has a migration plan, impacted consumers, tests, rollback notes and an approver. No
#   approving decision denies; an approving decision that lacks any of these denies and is
#   reported itself as incomplete, and so is one whose tests are not real: every test it names
#   must exist at the head of the change, and one of them must be added or modified by the
#   change or call the changed symbol.
# custom:
#   codes:
#     - contracts/breaking-unapproved
#     - contracts/decision-incomplete
#   severity: error
package gatehouse.contracts.breaking_approval

import data.gatehouse.lib.contracts
import data.gatehouse.lib.findings

# METADATA
# title: fix
# description: The next step for a change no complete decision approves.
fix := concat("", [
	"run `gatehouse contracts decide` to scaffold a decision in the decisions ",
	"directory, complete it (migration plan, impacted consumers, tests, rollback, ",
	"approver), run `gatehouse contracts accept`, and declare BREAKING in the PR's ",
	"Contract Impact box",
])

# METADATA
# title: deny
# description: A BREAKING change no decision approves.
deny contains findings.finding(
	"contracts/breaking-unapproved",
	sprintf("BREAKING %s: %s; no decision approves it%s%s", [change.code, change.message, contracts.stale_note(change), contracts.sites(change)]),
	object.union(contracts.change_extra(i, change), {"suggested_fix": fix}),
) if {
	some i, change in input.changes
	change.severity == "BREAKING"
	count(contracts.approvals(change)) == 0
}

# METADATA
# title: deny
# description: The approving decisions of a BREAKING change are all incomplete.
deny contains findings.finding(
	"contracts/decision-incomplete",
	sprintf("%s: decision %s approving BREAKING %s on %s is incomplete, missing: %s", [entry.file, entry.decision.decisionId, change.code, change.id, concat(", ", sort(missing))]),
	{"location": {"file": entry.file, "pointer": sprintf("/changes/%d", [i])}, "metadata": contracts.change_extra(i, change).metadata},
) if {
	some i, change in input.changes
	change.severity == "BREAKING"
	not contracts.complete_approval(change)
	some entry in contracts.approvals(change)
	missing := contracts.incomplete_fields(entry.decision, change)
}
