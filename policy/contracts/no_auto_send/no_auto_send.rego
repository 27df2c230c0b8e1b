# METADATA
# title: "Never-break: no external send unless draft-only or approval-gated"
# description: |
#   No auto-send (opt-in invariant): an exported function that declares an `external-send` side
#   effect must qualify it `draft-only` or `approval-gated`. No decision can approve a violation.
# custom:
#   code: contracts/invariant-auto-send
#   severity: block
package gatehouse.contracts.no_auto_send

import data.gatehouse.lib.findings

gates := {"draft-only", "approval-gated"}

# METADATA
# title: deny
# description: An external send that is neither draft-only nor approval-gated.
deny contains findings.finding(
	"contracts/invariant-auto-send",
	sprintf("%s: declares side effect %q without draft-only or approval-gated; sending must never be automatic", [fn.id, effect]),
	{"location": {"pointer": sprintf("/invariants/exports/%d", [i])}},
) if {
	some i, fn in input.invariants.exports
	some effect in fn.sideEffects
	words := split(effect, " ")
	words[0] == "external-send"
	count({w | some w in words; w in gates}) == 0
}
