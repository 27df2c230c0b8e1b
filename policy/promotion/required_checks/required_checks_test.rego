package gatehouse.promotion.required_checks_test

import data.gatehouse.promotion.required_checks

test_fail_absent if {
	got := required_checks.deny with input as {
		"settings": {"requiredChecks": ["schema", "pii-scan"]},
		"receipt": {"document": {"checks": [{"name": "schema", "status": "PASSED"}]}},
	}
	got == {{"code": "promotion/required-check-absent", "msg": "required check \"pii-scan\" is absent from the receipt", "location": {"pointer": "/receipt/document/checks"}}}
}

test_success_all_present if {
	got := required_checks.deny with input as {
		"settings": {"requiredChecks": ["schema"]},
		"receipt": {"document": {"checks": [{"name": "schema", "status": "WARNED"}]}},
	}
	got == set()
}
