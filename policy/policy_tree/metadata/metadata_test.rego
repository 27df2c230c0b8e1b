package gatehouse.policy_tree.metadata_test

import data.gatehouse.policy_tree.metadata

base := {
	"root": "policy",
	"modules": [
		{"file": "a/b/b.rego", "test": false, "package": "gatehouse.a.b", "metadata": true, "title": true},
		{"file": "a/b/b_test.rego", "test": true, "package": "gatehouse.a.b_test", "metadata": false, "title": false},
	],
	"folders": [{"folder": "a/b", "sources": ["a/b/b.rego"], "tests": ["a/b/b_test.rego"]}],
}

test_fail_module_without_metadata if {
	got := metadata.deny with input as object.union(base, {"modules": [{"file": "a/b/b.rego", "test": false, "package": "gatehouse.a.b", "metadata": false, "title": false}]})
	got == {{"code": "policy/missing-metadata", "msg": "a/b/b.rego: package gatehouse.a.b needs a # METADATA block with a title", "location": {"file": "a/b/b.rego"}}}
}

test_success_test_modules_need_no_metadata if {
	got := metadata.deny with input as object.union(base, {"modules": [{"file": "a/b/b_test.rego", "test": true, "package": "x", "metadata": false, "title": false}]})
	got == set()
}

test_success_documented_module if {
	got := metadata.deny with input as base
	got == set()
}
