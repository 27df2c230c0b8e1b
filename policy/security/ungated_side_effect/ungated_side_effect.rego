# METADATA
# title: "External side effects are draft-only or approval-gated"
# description: |
#   An exported function in a changed module declares an external side effect (by default
#   `external-send`, `send`, `publish`, `execute`, `write-outside-workspace`: the first word of
#   `@sideEffect`) without a gate qualifier (`approval-gated` or `draft-only`). The no-auto-send
#   invariant, extended to every declared external effect: a tool action must not act on its own.
# custom:
#   code: security/ungated-side-effect
#   severity: error
package gatehouse.security.ungated_side_effect

import data.gatehouse.lib.security

# METADATA
# title: deny
# description: An external side effect declared without draft-only or approval-gated.
deny contains security.finding(
	"security/ungated-side-effect",
	sprintf("%s:%d: %s declares @sideEffect %s without %s; mark it approval-gated or draft-only, or route it through one that is", [fact.file, fact.line, fact.function, fact.effect, concat(" or ", sort(input.settings.gates))]),
	fact,
) if {
	security.enabled("sideEffects")
	some fact in input.sideEffects
	words := split(fact.effect, " ")
	words[0] in {e | some e in input.settings.externalEffects}
	count({w | some w in array.slice(words, 1, count(words)); w in input.settings.gates}) == 0
}
