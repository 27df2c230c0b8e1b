# METADATA
# title: Contract governance helpers
# description: |
#   Shared by the policy/contracts rules: which decisions cover a change (same change code and
#   `module#name` symbol), which of them approve it (only a decision bound to this exact change,
#   by its fingerprint of the old and new contract), whether an approval is complete, and the
#   finding fields every change finding carries (the change's pointer and its call sites), and
#   whether the tests a decision names are real: they exist, and one of them was added or modified
#   by the change or calls the changed symbol (the collector's test facts, input.tests).
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

touching := {"added", "modified"}

# METADATA
# title: named_test
# description: The collector's facts about a test file or test reference (by its name as written).
named_test(name) := file if {
	some file in input.tests.files
	file.file == name
}

# METADATA
# title: named_test_exists
# description: True when the named test is a regular file inside the repository at the head of the change.
named_test_exists(name) if {
	file := named_test(name)
	file.exists
}

# METADATA
# title: usable_test
# description: True when the named test is a test file that exists at the head of the change.
usable_test(name) if {
	file := named_test(name)
	file.exists
	file.test
}

# METADATA
# title: exercises
# description: True when the named test was added or modified by the change or calls the changed symbol.
# scope: document
exercises(name, _) if {
	usable_test(name)
	named_test(name).change in touching
}

exercises(name, change) if {
	usable_test(name)
	change.id in named_test(name).calls
}

# METADATA
# title: decision_test_problems
# description: |
#   Why the tests a decision names do not test the change: a named test that does not exist (no
#   facts count as not existing) or is no test file, or none of them added or modified by the
#   change or calling the changed symbol. Empty when the tests are real or none are named.
decision_test_problems(decision, change) := ({sprintf("tests: %s does not exist", [name]) |
	some name in decision.tests
	not named_test_exists(name)
} | {sprintf("tests: %s is not a test file", [name]) |
	some name in decision.tests
	named_test_exists(name)
	not usable_test(name)
}) | untouched_tests(decision, change)

# A named test that is missing already says why; this is for tests that are there but untouched.
untouched_tests(decision, change) := {sprintf("tests: none of %s was added or modified by the change or calls %s", [concat(", ", sort(usable)), change.symbol.name])} if {
	usable := [name | some name in decision.tests; usable_test(name)]
	count(usable) > 0
	count([name | some name in usable; exercises(name, change)]) == 0
} else := set()

# METADATA
# title: incomplete_fields
# description: What an approval of the change lacks (missing fields, and the problems of its tests).
incomplete_fields(decision, change) := missing_fields(decision) | decision_test_problems(decision, change)

# METADATA
# title: complete_approval
# description: True when some covering approval of the change has every field a BREAKING change needs, with real tests.
complete_approval(change) if {
	some entry in approvals(change)
	count(incomplete_fields(entry.decision, change)) == 0
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
