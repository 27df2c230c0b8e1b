package gatehouse.promotion.redaction_test

import data.gatehouse.promotion.redaction

test_fail_restricted_unredacted if {
	got := redaction.deny with input as {"receipt": {"document": {"outputs": [
		{"path": "a.csv", "sensitivity": {"label": "public"}},
		{"path": "b.csv", "sensitivity": {"label": "restricted"}},
	]}}}
	got == {{"code": "promotion/redaction-missing", "msg": "output b.csv is restricted but has no redaction evidence", "location": {"pointer": "/receipt/document/outputs/1/sensitivity"}}}
}

test_success_redacted if {
	got := redaction.deny with input as {"receipt": {"document": {"outputs": [{"path": "b.csv", "sensitivity": {
		"label": "restricted",
		"redaction": {"method": "pii-mask", "evidence": {"uri": "redaction.log"}},
	}}]}}}
	got == set()
}
