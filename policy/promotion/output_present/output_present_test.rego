package gatehouse.promotion.output_present_test

import data.gatehouse.promotion.output_present

test_fail_missing_output if {
	got := output_present.deny with input as {"outputs": [
		{"index": 0, "path": "a.csv", "actual": {"status": "ok"}},
		{"index": 1, "path": "b.csv", "actual": {"status": "missing", "detail": "no such file"}},
	]}
	got == {{
		"code": "promotion/output-missing",
		"msg": "output b.csv is missing on disk (no such file)",
		"location": {"pointer": "/receipt/document/outputs/1/path"},
	}}
}

test_success_all_present if {
	got := output_present.deny with input as {"outputs": [{"index": 0, "path": "a.csv", "actual": {"status": "ok"}}]}
	got == set()
}
