package gatehouse.promotion.timestamps_not_future_test

import data.gatehouse.promotion.timestamps_not_future

now := time.parse_rfc3339_ns("2026-01-01T00:00:00Z")

test_fail_future if {
	got := timestamps_not_future.deny with input as {
		"settings": {"maxClockSkewSeconds": 60},
		"receipt": {"document": {"startedAt": "2026-01-01T00:01:00Z", "finishedAt": "2026-01-01T00:01:01Z"}},
	}
		with time.now_ns as now
	got == {{"code": "promotion/timestamp-in-future", "msg": "finishedAt 2026-01-01T00:01:01Z is in the future by more than 60 s of allowed clock skew", "location": {"pointer": "/receipt/document/finishedAt"}}}
}

test_fail_unparsed if {
	got := timestamps_not_future.deny with input as {
		"settings": {"maxClockSkewSeconds": 60},
		"receipt": {"document": {"startedAt": "2025-12-31T23:00:00Z", "finishedAt": "2025-12-31T23:59:60Z"}},
	}
		with time.now_ns as now
	got == {{"code": "promotion/timestamp-in-future", "msg": "finishedAt 2025-12-31T23:59:60Z is in the future by more than 60 s of allowed clock skew", "location": {"pointer": "/receipt/document/finishedAt"}}}
}

test_success_past if {
	got := timestamps_not_future.deny with input as {
		"settings": {"maxClockSkewSeconds": 0},
		"receipt": {"document": {"startedAt": "2025-12-31T23:00:00Z", "finishedAt": "2026-01-01T00:00:00Z"}},
	}
		with time.now_ns as now
	got == set()
}
