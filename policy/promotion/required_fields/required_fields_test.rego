package gatehouse.promotion.required_fields_test

import data.gatehouse.promotion.required_fields

test_fail_no_outputs if {
	got := required_fields.deny with input as {"receipt": {"document": {"outputs": []}}}
	got == {{
		"code": "promotion/required-field-missing",
		"msg": "the receipt lists no outputs: there is nothing to promote",
		"location": {"pointer": "/receipt/document/outputs"},
	}}
}

test_fail_output_without_path if {
	got := required_fields.deny with input as {"receipt": {"document": {"outputs": [{"path": "a.csv"}, {"uri": "s3://b/c"}]}}}
	got == {{
		"code": "promotion/required-field-missing",
		"msg": "output 1 has no path (only a uri), so it cannot be verified on disk",
		"location": {"pointer": "/receipt/document/outputs/1"},
	}}
}

test_success_outputs_with_paths if {
	got := required_fields.deny with input as {"receipt": {"document": {"outputs": [{"path": "a.csv"}]}}}
	got == set()
}
