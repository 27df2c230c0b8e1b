package gatehouse.promotion.registry_valid_test

import data.gatehouse.promotion.registry_valid

test_fail_missing if {
	got := registry_valid.deny with input as {"registry": {"status": "missing", "problems": ["no watcher registry configured"]}}
	got == {{"code": "promotion/registry-missing", "msg": "the watcher registry is missing: no watcher registry configured", "location": {"pointer": "/registry"}}}
}

test_fail_invalid if {
	got := registry_valid.deny with input as {"registry": {"status": "invalid", "path": "r.json", "problems": ["a", "b"]}}
	got == {{"code": "promotion/registry-invalid", "msg": "the watcher registry r.json is invalid: a; b", "location": {"pointer": "/registry"}}}
}

test_success_ok if {
	got := registry_valid.deny with input as {"registry": {"status": "ok", "problems": []}}
	got == set()
}
