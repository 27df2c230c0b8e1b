package gatehouse.promotion.provider_current_test

import data.gatehouse.promotion.provider_current

now := time.parse_rfc3339_ns("2026-01-01T00:00:00Z")

test_fail_expired if {
	got := provider_current.deny with input as {"provider": {"id": "ci://a", "listed": true, "expires": "2025-12-31T23:59:59Z"}}
		with time.now_ns as now
	got == {{"code": "promotion/provider-expired", "msg": "provider \"ci://a\": its registry entry expired at 2025-12-31T23:59:59Z", "location": {"pointer": "/provider/expires"}}}
}

test_fail_expires_unparsed if {
	got := provider_current.deny with input as {"provider": {"id": "ci://a", "listed": true, "expires": "2030-01-01 00:00:00"}}
		with time.now_ns as now
	got == {{"code": "promotion/provider-expired", "msg": "provider \"ci://a\": its registry entry expired at 2030-01-01 00:00:00", "location": {"pointer": "/provider/expires"}}}
}

test_fail_not_yet_valid if {
	got := provider_current.deny with input as {"provider": {
		"id": "ci://a", "listed": true,
		"notBefore": "2026-02-01T00:00:00Z",
		"expires": "2027-01-01T00:00:00Z",
	}}
		with time.now_ns as now
	got == {{"code": "promotion/provider-expired", "msg": "provider \"ci://a\": its registry entry is not valid before 2026-02-01T00:00:00Z", "location": {"pointer": "/provider/notBefore"}}}
}

test_success_current if {
	got := provider_current.deny with input as {"provider": {
		"id": "ci://a", "listed": true,
		"notBefore": "2025-01-01T00:00:00Z",
		"expires": "2027-01-01T00:00:00Z",
	}}
		with time.now_ns as now
	got == set()
}
