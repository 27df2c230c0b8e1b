# METADATA
# title: "Every command can be analysed, or the declaration names it"
# description: >-
#   A command the collector cannot analyse (an interpreter's inline code such as python3 -c or perl -e, awk that
#   can write or run commands, eval of computed text, a computed command name or path, a script, a program gatehouse
#   does not know, text that is not shell) denies unless ALLOWED_COMMANDS names the program: when uncertain, halt.
#   sh -c with literal text is analysed as shell, not refused.
# custom:
#   code: ops/unverifiable-command
#   severity: error
package gatehouse.ops.execution.unverifiable_command

import data.gatehouse.lib.findings
import data.gatehouse.ops.lib.scope

# METADATA
# title: deny
# description: An unanalysable command the declaration does not name.
deny contains findings.finding(
	"ops/unverifiable-command",
	sprintf("step %d (%s): %s cannot be analysed (%s); name it in ALLOWED_COMMANDS to run it", [step.number, step.command, item.command, item.reason]),
	findings.at(sprintf("/log/steps/%d/command", [i])),
) if {
	some i, fact in input.facts
	step := input.log.steps[i]
	some item in fact.unverifiable
	not scope.name_matches(object.get(input.declaration, "ALLOWED_COMMANDS", []), item.command)
}
