# METADATA
# title: "RISKY and BREAKING changes touch a test that calls the changed symbol"
# description: |
#   A RISKY or BREAKING change must come with a test: the change adds, modifies or deletes a test
#   file that calls the changed symbol (uses it, for types and values), today or before the change
#   (a removal's test stops calling what was removed). Call sites are matched by name, as the
#   change's call sites are. The finding names the symbol and the test files that call it today.
# custom:
#   code: contracts/untested-change
#   severity: error
package gatehouse.contracts.untested_change

import data.gatehouse.lib.contracts
import data.gatehouse.lib.findings

# METADATA
# title: fix
# description: The next step for a change no touched test exercises.
fix := concat("", [
	"change or add a test that calls the changed symbol in the same change, and name it ",
	"in the decision's tests",
])

# METADATA
# title: deny
# description: A RISKY or BREAKING change whose diff touches no test file that calls the changed symbol.
deny contains findings.finding(
	"contracts/untested-change",
	sprintf("%s %s on %s: the change touches no test file that calls %s; %s", [change.severity, change.code, change.id, change.symbol.name, callers_note(callers)]),
	object.union(contracts.change_extra(i, change), {"suggested_fix": fix, "metadata": object.union(contracts.change_extra(i, change).metadata, {"testFiles": callers})}),
) if {
	some i, change in input.changes
	change.severity in {"RISKY", "BREAKING"}
	count(touched_callers(change)) == 0
	callers := sort([file.file |
		some file in input.tests.files
		file.test
		file.exists
		change.id in file.calls
	])
}

touched_callers(change) := [file.file |
	some file in input.tests.files
	file.test
	file.change
	calls_or_called(file, change)
]

calls_or_called(file, change) if change.id in file.calls

calls_or_called(file, change) if change.id in file.callsAtBase

# METADATA
# title: callers_note
# description: The test files that call the symbol today, for the message.
# scope: document
callers_note(callers) := "no test file calls it today" if count(callers) == 0

callers_note(callers) := sprintf("test files that call it today: %s", [concat(", ", callers)]) if count(callers) > 0
