package gatehouse.security.ungated_side_effect_test

import data.gatehouse.security.ungated_side_effect

settings := {"externalEffects": ["external-send", "publish", "execute"], "gates": ["approval-gated", "draft-only"], "tenantParams": ["workspaceId"]}

fact(fn, effect) := {"file": "src/notify.ts", "line": 7, "function": fn, "effect": effect}

test_fail_publish_without_gate if {
	got := ungated_side_effect.deny with input as {"checks": ["sideEffects"], "settings": settings, "sideEffects": [
		fact("publishRelease", "publish"),
		fact("draftReply", "external-send draft-only"),
		fact("runJob", "execute approval-gated"),
		fact("readCache", "filesystem"),
	]}
	got == {{
		"code": "security/ungated-side-effect",
		"msg": "src/notify.ts:7: publishRelease declares @sideEffect publish without approval-gated or draft-only; mark it approval-gated or draft-only, or route it through one that is",
		"location": {"file": "src/notify.ts", "line": 7},
		"scope": "change",
	}}
}

test_fail_gate_word_must_be_a_qualifier if {
	# `approval-gated` as the kind itself is not a gate on an external effect.
	got := ungated_side_effect.deny with input as {"checks": ["sideEffects"], "settings": settings, "sideEffects": [fact("x", "execute later")]}
	count(got) == 1
}

test_success_check_off if {
	got := ungated_side_effect.deny with input as {"checks": [], "settings": settings, "sideEffects": [fact("publishRelease", "publish")]}
	got == set()
}
