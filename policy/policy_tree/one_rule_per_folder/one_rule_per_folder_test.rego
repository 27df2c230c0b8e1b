package gatehouse.policy_tree.one_rule_per_folder_test

import data.gatehouse.policy_tree.one_rule_per_folder

base := {
	"root": "policy",
	"modules": [
		{"file": "a/b/b.rego", "test": false, "package": "gatehouse.a.b", "metadata": true, "title": true},
		{"file": "a/b/b_test.rego", "test": true, "package": "gatehouse.a.b_test", "metadata": false, "title": false},
	],
	"folders": [{"folder": "a/b", "sources": ["a/b/b.rego"], "tests": ["a/b/b_test.rego"]}],
}

test_fail_two_rules_in_one_folder if {
	got := one_rule_per_folder.deny with input as object.union(base, {"folders": [{"folder": "a", "sources": ["a/x.rego", "a/y.rego"], "tests": ["a/x_test.rego"]}]})
	got == {{"code": "policy/crowded-folder", "msg": "a: 2 modules in one rule folder (a/x.rego, a/y.rego)", "location": {"file": "a/x.rego"}}}
}

test_success_one_rule if {
	got := one_rule_per_folder.deny with input as base
	got == set()
}
