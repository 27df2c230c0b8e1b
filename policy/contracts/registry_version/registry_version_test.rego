package gatehouse.contracts.registry_version_test

import data.gatehouse.contracts.registry_version

registry(before, after, same_time) := {
	"file": "contracts/registry.json", "inSync": true, "pending": 0,
	"before": {"registryVersion": before, "updatedAt": "2026-01-01T00:00:00Z"},
	"after": {"registryVersion": after, "updatedAt": updated(same_time)},
}

updated(true) := "2026-01-01T00:00:00Z"

updated(false) := "2026-02-01T00:00:00Z"

doc(before, after, detected) := {"registry": registry(before, after, false), "detected": detected, "changes": [{"code": "x"}]}

not_bumped(before, after, detected, level) := {{
	"code": "contracts/version-not-bumped",
	"msg": sprintf("contracts/registry.json: contracts changed (%s) but registryVersion went from %s to %s; a %s change needs a %s bump", [detected, before, after, detected, level]),
	"location": {"file": "contracts/registry.json", "pointer": "/registry/after/registryVersion"},
}}

test_fail_out_of_date if {
	got := registry_version.deny with input as {"registry": object.union(registry("1.0.0", "1.0.0", true), {"inSync": false, "pending": 3}), "detected": "SAFE", "changes": [{"code": "x"}]}
	got == {{
		"code": "contracts/registry-out-of-date",
		"msg": "contracts/registry.json does not match the code: 3 contract changes are not in the registry; approve them and run `gatehouse contracts accept`",
		"location": {"file": "contracts/registry.json", "pointer": "/registry/inSync"},
	}}
}

test_fail_breaking_needs_major if {
	got := registry_version.deny with input as doc("1.2.3", "1.3.0", "BREAKING")
	got == not_bumped("1.2.3", "1.3.0", "BREAKING", "major")
}

test_fail_risky_needs_minor if {
	got := registry_version.deny with input as doc("1.2.3", "1.2.4", "RISKY")
	got == not_bumped("1.2.3", "1.2.4", "RISKY", "minor")
}

test_fail_safe_needs_patch if {
	got := registry_version.deny with input as doc("1.2.3", "1.2.3", "SAFE")
	got == not_bumped("1.2.3", "1.2.3", "SAFE", "patch")
}

test_fail_updated_at_not_set if {
	got := registry_version.deny with input as {"registry": registry("1.0.0", "2.0.0", true), "detected": "BREAKING", "changes": [{"code": "x"}]}
	got == {{
		"code": "contracts/updated-at-not-set",
		"msg": "contracts/registry.json: contracts changed but updatedAt is still 2026-01-01T00:00:00Z",
		"location": {"file": "contracts/registry.json", "pointer": "/registry/after/updatedAt"},
	}}
}

test_success_bumps if {
	registry_version.deny == set() with input as doc("1.2.3", "2.0.0", "BREAKING")
	registry_version.deny == set() with input as doc("1.2.3", "1.3.0", "RISKY")
	registry_version.deny == set() with input as doc("1.2.3", "2.0.0", "RISKY")
	registry_version.deny == set() with input as doc("1.2.3", "1.2.4", "SAFE")
}

test_success_no_changes if {
	got := registry_version.deny with input as {"registry": registry("1.0.0", "1.0.0", true), "detected": "NONE", "changes": []}
	got == set()
}
