# METADATA
# title: "The contract registry matches the code and its version is bumped"
# description: |
#   The working-tree registry must describe the code (`gatehouse contracts accept` writes it).
#   When contracts changed against the baseline, registryVersion must be bumped (major for
#   BREAKING, minor for RISKY, patch for SAFE) and updatedAt set.
# custom:
#   codes:
#     - contracts/registry-out-of-date
#     - contracts/version-not-bumped
#     - contracts/updated-at-not-set
#   severity: error
package gatehouse.contracts.registry_version

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: The registry does not describe the code.
deny contains findings.finding(
	"contracts/registry-out-of-date",
	sprintf("%s does not match the code: %d contract changes are not in the registry; approve them and run `gatehouse contracts accept`", [input.registry.file, input.registry.pending]),
	{"location": {"file": input.registry.file, "pointer": "/registry/inSync"}},
) if {
	not input.registry.inSync
}

# METADATA
# title: deny
# description: Contracts changed but registryVersion was not bumped enough.
deny contains findings.finding(
	"contracts/version-not-bumped",
	sprintf("%s: contracts changed (%s) but registryVersion went from %s to %s; a %s change needs a %s bump", [input.registry.file, input.detected, before, after, input.detected, level[input.detected]]),
	{"location": {"file": input.registry.file, "pointer": "/registry/after/registryVersion"}},
) if {
	input.registry.inSync
	count(input.changes) > 0
	before := input.registry.before.registryVersion
	after := input.registry.after.registryVersion
	not bumped(before, after, input.detected)
}

# METADATA
# title: deny
# description: Contracts changed but updatedAt was not set.
deny contains findings.finding(
	"contracts/updated-at-not-set",
	sprintf("%s: contracts changed but updatedAt is still %s", [input.registry.file, input.registry.after.updatedAt]),
	{"location": {"file": input.registry.file, "pointer": "/registry/after/updatedAt"}},
) if {
	input.registry.inSync
	count(input.changes) > 0
	input.registry.after.updatedAt == input.registry.before.updatedAt
}

level := {"BREAKING": "major", "RISKY": "minor", "SAFE": "patch"}

parts(version) := [to_number(p) | some p in split(split(version, "-")[0], ".")]

bumped(before, after, "BREAKING") if parts(after)[0] > parts(before)[0]

bumped(before, after, "RISKY") if parts(after)[0] > parts(before)[0]

bumped(before, after, "RISKY") if {
	parts(after)[0] == parts(before)[0]
	parts(after)[1] > parts(before)[1]
}

bumped(before, after, "SAFE") if parts(after)[0] > parts(before)[0]

bumped(before, after, "SAFE") if {
	parts(after)[0] == parts(before)[0]
	parts(after)[1] > parts(before)[1]
}

bumped(before, after, "SAFE") if {
	parts(after)[0] == parts(before)[0]
	parts(after)[1] == parts(before)[1]
	parts(after)[2] > parts(before)[2]
}
