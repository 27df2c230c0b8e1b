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

test_fail_manifest_hint_escapes if {
	got := path_escape.deny with input as {"outputs": [], "manifest": {"status": "escapes", "problems": ["the manifest path \"../../m.json\" resolves outside the receipt's directory"]}}
	got == {{
		"code": "promotion/path-escape",
		"msg": "the manifest path \"../../m.json\" resolves outside the receipt's directory, so it was not read",
		"location": {"pointer": "/receipt/document/manifest/path"},
	}}
}

test_fail_hard_link if {
	detail := "the file has 2 hard links, and the others may lie outside the receipt's directory"
	got := path_escape.deny with input as {"outputs": [{"index": 1, "path": "out/a.csv", "actual": {"status": "hard-linked", "detail": detail}}]}
	got == {{
		"code": "promotion/hard-link",
		"msg": sprintf("output out/a.csv is a hard link (%s): promote a file with one name", [detail]),
		"location": {"pointer": "/receipt/document/outputs/1/path"},
	}}
}

test_success_manifest_linked if {
	got := path_escape.deny with input as {"outputs": [], "manifest": {"status": "linked", "problems": []}}
	got == set()
}
