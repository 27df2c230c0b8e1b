# METADATA
# title: "Every check the project requires was performed"
# description: "promotion.requiredChecks in the config names the checks every receipt must report (with any status; FAILED is denied by promotion/check-failed)."
# custom:
#   code: promotion/required-check-absent
#   severity: error
package gatehouse.promotion.required_checks

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A required check is absent from the receipt.
deny contains findings.finding(
	"promotion/required-check-absent",
	sprintf("required check %q is absent from the receipt", [name]),
	findings.at("/receipt/document/checks"),
) if {
	performed := {check.name | some check in input.receipt.document.checks}
	some name in input.settings.requiredChecks
	not name in performed
}
