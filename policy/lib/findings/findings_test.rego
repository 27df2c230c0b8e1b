package gatehouse.lib.findings_test

import data.gatehouse.lib.findings

test_success_finding_has_code_and_msg if {
	findings.finding("a/b", "m", {}) == {"code": "a/b", "msg": "m"}
}

test_success_finding_keeps_extra_fields if {
	findings.finding("a/b", "m", findings.at("/x")) == {"code": "a/b", "msg": "m", "location": {"pointer": "/x"}}
}

test_fail_extra_cannot_override_code if {
	findings.finding("a/b", "m", {"code": "other", "msg": "other"}) == {"code": "a/b", "msg": "m"}
}
