package gatehouse.promotion.closed_world_test

import data.gatehouse.promotion.closed_world

test_fail_undeclared_file if {
	got := closed_world.deny with input as {"closedWorld": {"directory": "outputs", "source": "verify", "undeclared": [{"path": "outputs/extra.bin", "file": "run/outputs/extra.bin"}]}}
	got == {{
		"code": "promotion/output-undeclared",
		"msg": "outputs/extra.bin is in the closed output directory outputs but is not a declared output",
		"location": {"file": "run/outputs/extra.bin"},
	}}
}

test_fail_unlistable_directory if {
	got := closed_world.deny with input as {"closedWorld": {"directory": "outputs", "source": "receipt", "undeclared": [], "problem": "the closed output directory is not a directory"}}
	got == {{
		"code": "promotion/output-undeclared",
		"msg": "closed output directory outputs: the closed output directory is not a directory",
		"location": {"pointer": "/closedOutputs"},
	}}
}

test_success_all_declared if {
	got := closed_world.deny with input as {"closedWorld": {"directory": "outputs", "source": "receipt", "undeclared": []}}
	got == set()
}

test_success_open_world if {
	got := closed_world.deny with input as {"outputs": []}
	got == set()
}
