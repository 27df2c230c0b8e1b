package gatehouse.lib.security_test

import data.gatehouse.lib.security

test_success_finding_has_file_line_and_scope if {
	security.finding("security/x", "m", {"file": "a.ts", "line": 3}) == {
		"code": "security/x", "msg": "m", "location": {"file": "a.ts", "line": 3}, "scope": "change",
	}
}

test_success_finding_keeps_the_column if {
	got := security.finding("security/x", "m", {"file": "a.log", "line": 2, "column": 7})
	got.location == {"file": "a.log", "line": 2, "column": 7}
}

test_fail_check_not_listed_is_off if {
	not security.enabled("tenant") with input as {"checks": ["secrets"]}
}
