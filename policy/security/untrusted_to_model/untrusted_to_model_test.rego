package gatehouse.security.untrusted_to_model_test

import data.gatehouse.security.untrusted_to_model

flow := {
	"file": "src/ingest/email.ts", "line": 14,
	"source": {"function": "handleInbound", "param": "body", "file": "src/ingest/email.ts", "line": 9, "reason": "tag"},
	"sink": {"function": "askModel", "kind": "prompt", "file": "src/ingest/email.ts"},
	"path": ["src/ingest/email.ts:9 handleInbound(body) @untrusted", "src/ingest/email.ts:14 askModel @prompt"],
}

test_fail_untrusted_parameter_into_prompt if {
	got := untrusted_to_model.deny with input as {"checks": ["untrusted"], "flows": [flow]}
	got == {{
		"code": "security/untrusted-to-model",
		"msg": "src/ingest/email.ts:14: untrusted body of handleInbound reaches @prompt askModel without a @sanitizer: src/ingest/email.ts:9 handleInbound(body) @untrusted -> src/ingest/email.ts:14 askModel @prompt",
		"location": {"file": "src/ingest/email.ts", "line": 14},
		"scope": "change",
	}}
}

test_success_through_sanitizer if {
	sanitized := object.union(flow, {"sanitizedBy": "stripInstructions"})
	got := untrusted_to_model.deny with input as {"checks": ["untrusted"], "flows": [sanitized]}
	got == set()
}

test_success_check_off if {
	got := untrusted_to_model.deny with input as {"checks": ["secrets"], "flows": [flow]}
	got == set()
}
