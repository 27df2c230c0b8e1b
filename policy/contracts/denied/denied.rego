# METADATA
# title: "A DENY decision denies the change it covers"
# description: "A covering DENY decision denies the change, whatever else approves it."
# custom:
#   code: contracts/change-denied
#   severity: error
package gatehouse.contracts.denied

import data.gatehouse.lib.contracts
import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A change covered by a DENY decision.
deny contains findings.finding(
	"contracts/change-denied",
	sprintf("%s: change %s is denied by decision %s (%s)%s", [change.id, change.code, entry.decision.decisionId, entry.file, contracts.sites(change)]),
	contracts.change_extra(i, change),
) if {
	some i, change in input.changes
	some entry in contracts.covering(change)
	entry.decision.decision == "DENY"
}
