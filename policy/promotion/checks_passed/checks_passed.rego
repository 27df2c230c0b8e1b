# METADATA
# title: "No check failed"
# description: "A run whose receipt reports a FAILED check is not promoted."
# custom:
#   code: promotion/check-failed
#   severity: error
package gatehouse.promotion.checks_passed

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A check with status FAILED.
deny contains findings.finding(
	"promotion/check-failed",
	sprintf("check %q FAILED%s", [check.name, summary(check)]),
	findings.at(sprintf("/receipt/document/checks/%d/status", [i])),
) if {
	some i, check in input.receipt.document.checks
	check.status == "FAILED"
}

summary(check) := sprintf(": %s", [check.summary]) if check.summary

summary(check) := "" if not check.summary
