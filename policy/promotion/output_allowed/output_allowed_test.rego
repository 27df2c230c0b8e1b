package gatehouse.promotion.output_allowed_test

import data.gatehouse.promotion.output_allowed

test_fail_not_allowed if {
	got := output_allowed.deny with input as {"provider": {"id": "ci://a", "listed": true}, "outputs": [
		{"index": 0, "path": "out/a.csv", "actual": {"status": "ok"}, "allowedByProvider": true},
		{"index": 1, "path": "b.bin", "actual": {"status": "ok"}, "allowedByProvider": false},
	]}
	got == {{"code": "promotion/output-not-allowed", "msg": "output b.bin is not among the outputs provider \"ci://a\" may produce", "location": {"pointer": "/receipt/document/outputs/1/path"}}}
}

test_fail_link_to_a_file_not_allowed if {
	got := output_allowed.deny with input as {"provider": {"id": "ci://a", "listed": true}, "outputs": [
		{"index": 0, "path": "out/a.csv", "target": "private/keys.txt", "actual": {"status": "ok"}, "allowedByProvider": false},
	]}
	got == {{
		"code": "promotion/output-not-allowed",
		"msg": "output out/a.csv resolves to private/keys.txt; both must be among the outputs provider \"ci://a\" may produce",
		"location": {"pointer": "/receipt/document/outputs/0/path"},
	}}
}

test_success_allowed_or_escape_reported_elsewhere if {
	got := output_allowed.deny with input as {"provider": {"id": "ci://a", "listed": true}, "outputs": [
		{"index": 0, "path": "out/a.csv", "actual": {"status": "ok"}, "allowedByProvider": true},
		{"index": 1, "path": "../x", "actual": {"status": "escapes"}, "allowedByProvider": false},
		{"index": 2, "path": "out/b.csv", "target": "out/c.csv", "actual": {"status": "ok"}, "allowedByProvider": true},
	]}
	got == set()
}
