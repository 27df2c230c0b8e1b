package gatehouse.promotion.provider_listed_test

import data.gatehouse.promotion.provider_listed

test_fail_unlisted if {
	got := provider_listed.deny with input as {"registry": {"status": "ok"}, "provider": {"id": "ci://rogue", "listed": false}}
	got == {{"code": "promotion/provider-unlisted", "msg": "provider \"ci://rogue\" is not listed in the watcher registry", "location": {"pointer": "/receipt/document/provider/id"}}}
}

test_success_listed if {
	got := provider_listed.deny with input as {"registry": {"status": "ok"}, "provider": {"id": "ci://a", "listed": true}}
	got == set()
}

test_success_registry_broken_reported_elsewhere if {
	got := provider_listed.deny with input as {"registry": {"status": "missing"}, "provider": {"id": "ci://a", "listed": false}}
	got == set()
}
