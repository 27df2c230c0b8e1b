# METADATA
# title: "Never-break: summary functions return evidence links"
# description: |
#   Evidence first (opt-in invariant, config contracts.invariants.summaryModules): every exported
#   function (or method callers run: a class's or an exported object's) in a summary or brief
#   module declares evidence links in its return contract
#   (`@evidence <field>`, or an evidence field named in its return type).
# custom:
#   code: contracts/invariant-evidence
#   severity: block
package gatehouse.contracts.evidence_first

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A summary function whose return contract carries no evidence.
deny contains findings.finding(
	"contracts/invariant-evidence",
	sprintf("%s: summary function declares no evidence links in its return contract (@evidence <field>)", [fn.id]),
	{"location": {"pointer": sprintf("/invariants/exports/%d", [i])}},
) if {
	some i, fn in input.invariants.exports
	fn.summary
	fn.kind in {"function", "method"}
	count(fn.returnsEvidence) == 0
	count({f | some f in input.invariants.evidenceFields; contains(fn.returnType, f)}) == 0
}
