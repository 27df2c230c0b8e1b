# METADATA
# title: Contract governance helpers
# description: |
#   Shared by the policy/contracts rules: which decisions cover a change (same change code and
#   `module#name` symbol), which of them approve it (only a decision bound to this exact change,
#   by its fingerprint of the old and new contract), whether an approval is complete, and the
#   finding fields every change finding carries (the change's pointer and its call sites).
package gatehouse.lib.contracts

approving := {"APPROVE", "APPROVE_WITH_CONDITIONS"}

# METADATA
# title: covers
# description: True when the decision names the change's code and symbol.
covers(decision, change) if {
	some c in decision.changes
	c.code == change.code
	c.symbol == change.id
}

# METADATA
# title: covering
# description: The decision entries (file + decision) that cover a change.
covering(change) := [entry |
	some entry in input.decisions
	covers(entry.decision, change)
]

# METADATA
# title: binds
# description: True when the decision names the change's code, symbol and fingerprint (the exact change).
binds(decision, change) if {
	some c in decision.changes
	c.code == change.code
	c.symbol == change.id
	c.fingerprint == change.fingerprint
}

# METADATA
# title: approvals
# description: |
#   The decisions that approve (APPROVE or APPROVE_WITH_CONDITIONS) this exact change: written
#   for another change of the same symbol (a second parameter removed after the first was
#   approved), a decision approves nothing.
approvals(change) := [entry |
	some entry in covering(change)
	entry.decision.decision in approving
	binds(entry.decision, change)
]

# METADATA
# title: stale
# description: Approving decisions that name the change's code and symbol but were written for another change.
stale(change) := [entry.file |
	some entry in covering(change)
	entry.decision.decision in approving
	not binds(entry.decision, change)
]

# METADATA
# title: stale_note
# description: For a message, the stale decisions of a change (empty when there are none).
# scope: document
stale_note(change) := "" if count(stale(change)) == 0

stale_note(change) := sprintf("; %s was written for another change (its fingerprint differs): write a new decision", [concat(", ", sort(stale(change)))]) if {
	count(stale(change)) > 0
}

# METADATA
# title: missing_fields
# description: What a BREAKING approval lacks (migration plan, impacted consumers, tests, rollback, approver).
missing_fields(decision) := {name |
	some name in ["migrationPlan", "rollback", "approvedBy"]
	trim_space(decision[name]) == ""
} | {name |
	some name in ["impactedConsumers", "tests"]
	count(decision[name]) == 0
}

# METADATA
# title: complete_approval
# description: True when some covering approval of the change has every field a BREAKING change needs.
complete_approval(change) if {
	some entry in approvals(change)
	count(missing_fields(entry.decision)) == 0
}

# METADATA
# title: sites
# description: The call sites of a change, listed for its message.
# scope: document
sites(change) := " (no call sites)" if count(change.callSites) == 0

sites(change) := sprintf(" (%d call sites: %s)", [count(change.callSites), concat(", ", listed)]) if {
	count(change.callSites) > 0
	listed := [sprintf("%s:%d", [site.file, site.line]) | some site in change.callSites]
}

# METADATA
# title: change_extra
# description: Finding fields for the i-th change, its pointer and the call sites in metadata.
change_extra(i, change) := {
	"location": object.union({"pointer": sprintf("/changes/%d", [i])}, declared_at(change)),
	"metadata": {"change": change.code, "symbol": change.id, "severity": change.severity, "callSites": change.callSites},
}

# METADATA
# title: declared_at
# description: The change's place in the code (file and line), when it still has one.
declared_at(change) := {"file": change.file, "line": change.line} if {
	change.file
	change.line
} else := {}
