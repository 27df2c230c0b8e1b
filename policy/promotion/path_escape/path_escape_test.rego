package gatehouse.promotion.path_escape_test

import data.gatehouse.promotion.path_escape

test_fail_escape if {
	got := path_escape.deny with input as {"outputs": [{"index": 2, "path": "../secret", "actual": {"status": "escapes", "detail": "resolves outside the receipt's directory"}}]}
	got == {{
		"code": "promotion/path-escape",
		"msg": "output ../secret escapes the receipt's directory (resolves outside the receipt's directory)",
		"location": {"pointer": "/receipt/document/outputs/2/path"},
	}}
}

test_success_inside if {
	got := path_escape.deny with input as {"outputs": [{"index": 0, "path": "a.csv", "actual": {"status": "ok"}}]}
	got == set()
}
