package gatehouse.promotion.checks_passed_test

import data.gatehouse.promotion.checks_passed

test_fail_failed_check if {
	got := checks_passed.deny with input as {"receipt": {"document": {"checks": [
		{"name": "schema", "status": "PASSED"},
		{"name": "pii-scan", "status": "FAILED", "summary": "3 emails found"},
		{"name": "lint", "status": "FAILED"},
	]}}}
	got == {
		{"code": "promotion/check-failed", "msg": "check \"pii-scan\" FAILED: 3 emails found", "location": {"pointer": "/receipt/document/checks/1/status"}},
		{"code": "promotion/check-failed", "msg": "check \"lint\" FAILED", "location": {"pointer": "/receipt/document/checks/2/status"}},
	}
}

test_success_passed_and_warned if {
	got := checks_passed.deny with input as {"receipt": {"document": {"checks": [{"name": "a", "status": "PASSED"}, {"name": "b", "status": "WARNED"}]}}}
	got == set()
}
