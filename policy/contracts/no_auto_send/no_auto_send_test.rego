package gatehouse.contracts.no_auto_send_test

import data.gatehouse.contracts.no_auto_send

fn(id, effects) := {
	"id": id, "kind": "function", "params": [], "sideEffects": effects, "returnsEvidence": [], "returnType": "",
	"dataAccess": false, "summary": false,
}

test_fail_auto_send if {
	got := no_auto_send.deny with input as {"invariants": {"tenantParams": ["workspaceId"], "evidenceFields": ["evidence"], "exports": [
		fn("mail.py#send_now", ["external-send", "network"]),
		fn("mail.py#draft", ["external-send draft-only"]),
		fn("mail.py#queue", ["external-send approval-gated"]),
	]}}
	got == {{
		"code": "contracts/invariant-auto-send",
		"msg": "mail.py#send_now: declares side effect \"external-send\" without draft-only or approval-gated; sending must never be automatic",
		"location": {"pointer": "/invariants/exports/0"},
	}}
}

test_success_gated if {
	got := no_auto_send.deny with input as {"invariants": {"tenantParams": ["workspaceId"], "evidenceFields": ["evidence"], "exports": [fn("m#f", ["external-send approval-gated"])]}}
	got == set()
}
