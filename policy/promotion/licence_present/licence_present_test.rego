package gatehouse.promotion.licence_present_test

import data.gatehouse.promotion.licence_present

test_fail_no_licence if {
	got := licence_present.deny with input as {"receipt": {"document": {"outputs": [{"path": "a.csv", "licence": "MIT"}, {"path": "b.csv"}]}}}
	got == {{"code": "promotion/licence-missing", "msg": "output b.csv has no licence (set outputs[].licence or provenance.licence)", "location": {"pointer": "/receipt/document/outputs/1"}}}
}

test_success_receipt_licence if {
	got := licence_present.deny with input as {"receipt": {"document": {"provenance": {"licence": "CC-BY-4.0"}, "outputs": [{"path": "b.csv"}]}}}
	got == set()
}
