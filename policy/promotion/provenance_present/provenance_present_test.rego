package gatehouse.promotion.provenance_present_test

import data.gatehouse.promotion.provenance_present

test_fail_no_provenance if {
	got := provenance_present.deny with input as {"receipt": {"document": {}}}
	got == {
		{"code": "promotion/provenance-missing", "msg": "the receipt has no provenance.source", "location": {"pointer": "/receipt/document/provenance/source"}},
		{"code": "promotion/provenance-missing", "msg": "the receipt has no provenance.attribution", "location": {"pointer": "/receipt/document/provenance/attribution"}},
	}
}

test_fail_no_attribution if {
	got := provenance_present.deny with input as {"receipt": {"document": {"provenance": {"source": {"uri": "git+https://x"}}}}}
	got == {{"code": "promotion/provenance-missing", "msg": "the receipt has no provenance.attribution", "location": {"pointer": "/receipt/document/provenance/attribution"}}}
}

test_success_complete if {
	got := provenance_present.deny with input as {"receipt": {"document": {"provenance": {"source": {"uri": "git+https://x"}, "attribution": "ACME"}}}}
	got == set()
}
