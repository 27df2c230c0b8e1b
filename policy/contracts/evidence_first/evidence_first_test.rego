package gatehouse.contracts.evidence_first_test

import data.gatehouse.contracts.evidence_first

fn(id, evidence, return_type) := {
	"id": id, "kind": "function", "params": [], "sideEffects": [], "returnsEvidence": evidence, "returnType": return_type,
	"dataAccess": false, "summary": true,
}

test_fail_no_evidence if {
	got := evidence_first.deny with input as {"invariants": {"tenantParams": ["workspaceId"], "evidenceFields": ["evidence"], "exports": [
		fn("src/brief.ts#summarize", [], "Promise<string>"),
		fn("src/brief.ts#brief", ["links"], "Brief"),
		fn("src/brief.ts#digest", [], "{ text: string; evidence: string[] }"),
	]}}
	got == {{
		"code": "contracts/invariant-evidence",
		"msg": "src/brief.ts#summarize: summary function declares no evidence links in its return contract (@evidence <field>)",
		"location": {"pointer": "/invariants/exports/0"},
	}}
}

test_success_evidence if {
	got := evidence_first.deny with input as {"invariants": {"tenantParams": ["workspaceId"], "evidenceFields": ["evidence"], "exports": [fn("a#b", ["links"], "")]}}
	got == set()
}

test_fail_method_no_evidence if {
	method := object.union(fn("src/briefs/writer.ts#Writer.summarize", [], "Promise<string>"), {"kind": "method"})
	got := evidence_first.deny with input as {"invariants": {"tenantParams": ["workspaceId"], "evidenceFields": ["evidence"], "exports": [method]}}
	count(got) == 1
}
