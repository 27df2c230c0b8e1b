# METADATA
# title: "Stable contracts have a registry test that exists and calls them"
# description: |
#   Every contract whose stability is stable (`@stable`) has at least one test reference in the
#   registry (its `tests`) that is a test file existing at the head of the change and calling it
#   (using it, for types and values). `gatehouse contracts accept` records the tests a decision
#   names; add others to the contract's `tests` in the registry. Severity by pack: warning in
#   startup-fast and beginner-guided, error in team-standard, block in enterprise-compliance.
# custom:
#   code: contracts/stable-untested
#   severity: error
package gatehouse.contracts.stable_untested

import data.gatehouse.lib.contracts
import data.gatehouse.lib.findings

# METADATA
# title: fix
# description: The next step for a stable contract without a real test.
fix := "write a test that calls the contract and add its path to the contract's tests in the registry"

# METADATA
# title: deny
# description: A stable contract none of whose registry tests exists and calls it.
deny contains findings.finding(
	"contracts/stable-untested",
	sprintf("stable %s %s has no test in the registry that exists and calls it%s", [stable.kind, stable.id, problems_note(stable)]),
	{"location": object.union({"pointer": sprintf("/stable/%d", [i])}, contracts.declared_at(stable)), "metadata": {"symbol": stable.id, "tests": stable.tests}, "suggested_fix": fix},
) if {
	some i, stable in input.stable
	count([name | some name in stable.tests; calls(name, stable)]) == 0
}

calls(name, stable) if {
	contracts.usable_test(name)
	stable.id in contracts.named_test(name).calls
}

# METADATA
# title: problems_note
# description: Why each test reference of the contract does not count, for the message.
# scope: document
problems_note(stable) := " (its tests: none)" if count(stable.tests) == 0

problems_note(stable) := sprintf(" (its tests: %s)", [concat("; ", [problem(name) | some name in stable.tests])]) if count(stable.tests) > 0

problem(name) := sprintf("%s does not exist", [name]) if {
	not contracts.named_test_exists(name)
} else := sprintf("%s is not a test file", [name]) if {
	not contracts.usable_test(name)
} else := sprintf("%s does not call it", [name])
