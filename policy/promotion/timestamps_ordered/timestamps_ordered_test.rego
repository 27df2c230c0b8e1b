package gatehouse.promotion.timestamps_ordered_test

import data.gatehouse.promotion.timestamps_ordered

test_fail_inverted if {
	got := timestamps_ordered.deny with input as {
		"receipt": {"document": {"startedAt": "2025-06-01T10:00:00Z", "finishedAt": "2025-06-01T09:59:59Z"}},
	}
	got == {{"code": "promotion/timestamps-inverted", "msg": "finishedAt 2025-06-01T09:59:59Z is not at or after startedAt 2025-06-01T10:00:00Z", "location": {"pointer": "/receipt/document/finishedAt"}}}
}

test_fail_unparsed if {
	got := timestamps_ordered.deny with input as {
		"receipt": {"document": {"startedAt": "2025-06-01T10:00:00Z", "finishedAt": "2025-06-31T10:00:00Z"}},
	}
	got == {{"code": "promotion/timestamps-inverted", "msg": "finishedAt 2025-06-31T10:00:00Z is not at or after startedAt 2025-06-01T10:00:00Z", "location": {"pointer": "/receipt/document/finishedAt"}}}
}

test_success_ordered if {
	got := timestamps_ordered.deny with input as {
		"receipt": {"document": {"startedAt": "2025-06-01T10:00:00Z", "finishedAt": "2025-06-01T10:00:00+00:00"}},
	}
	got == set()
}
