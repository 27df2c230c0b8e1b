# METADATA
# title: "Removing a deprecated contract names its replacement"
# description: "A removed @deprecated contract must have named its replacement (@deprecated Use <replacement>)."
# custom:
#   code: contracts/deprecated-removal-without-replacement
#   severity: error
package gatehouse.contracts.deprecated_replacement

import data.gatehouse.lib.contracts
import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A deprecated contract removed without a named replacement.
deny contains findings.finding(
	"contracts/deprecated-removal-without-replacement",
	sprintf("%s: deprecated contract removed without naming its replacement (@deprecated Use <replacement>)%s", [change.id, contracts.sites(change)]),
	contracts.change_extra(i, change),
) if {
	some i, change in input.changes
	change.code == "contracts/deprecated-removed"
	trim_space(object.get(change, "replacement", "")) == ""
}
