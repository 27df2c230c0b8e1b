package gatehouse.policy_tree.tested_test

import data.gatehouse.policy_tree.tested

base := {
	"root": "policy",
	"modules": [
		{"file": "a/b/b.rego", "test": false, "package": "gatehouse.a.b", "metadata": true, "title": true},
		{"file": "a/b/b_test.rego", "test": true, "package": "gatehouse.a.b_test", "metadata": false, "title": false},
	],
	"folders": [{"folder": "a/b", "sources": ["a/b/b.rego"], "tests": ["a/b/b_test.rego"]}],
}

test_fail_folder_without_test if {
	got := tested.deny with input as object.union(base, {"folders": [{"folder": "a/b", "sources": ["a/b/b.rego"], "tests": []}]})
	got == {{"code": "policy/missing-test", "msg": "a/b: rule folder has no _test.rego", "location": {"file": "a/b/b.rego"}}}
}

test_success_folder_with_test if {
	got := tested.deny with input as base
	got == set()
}
