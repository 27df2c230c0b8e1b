# METADATA
# title: "The watcher registry exists and is valid"
# description: "Without a valid watcher registry no provider can be trusted, so every receipt is denied."
# custom:
#   codes:
#     - promotion/registry-missing
#     - promotion/registry-invalid
#   severity: error
package gatehouse.promotion.registry_valid

import data.gatehouse.lib.findings

# METADATA
# title: deny
# scope: document
# description: The registry is missing or fails its schema.
deny contains findings.finding(
	"promotion/registry-missing",
	sprintf("the watcher registry is missing: %s", [concat("; ", input.registry.problems)]),
	findings.at("/registry"),
) if {
	input.registry.status == "missing"
}

deny contains findings.finding(
	"promotion/registry-invalid",
	sprintf("the watcher registry %s is invalid: %s", [object.get(input.registry, "path", ""), concat("; ", input.registry.problems)]),
	findings.at("/registry"),
) if {
	input.registry.status == "invalid"
}
