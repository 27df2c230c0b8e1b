# METADATA
# title: "The final report has every required section"
# description: "The final report (Markdown) has the headings EXEC SUMMARY, CHANGES MADE, VERIFICATION EVIDENCE, RISK ASSESSMENT and NEXT SAFE ACTIONS; no report at all denies too."
# custom:
#   code: ops/report-incomplete
#   severity: error
package gatehouse.ops.execution.report_sections

import data.gatehouse.lib.findings

required := ["EXEC SUMMARY", "CHANGES MADE", "VERIFICATION EVIDENCE", "RISK ASSESSMENT", "NEXT SAFE ACTIONS"]

# METADATA
# scope: document
# title: deny
# description: A missing final report or missing sections.
deny contains findings.finding(
	"ops/report-incomplete",
	sprintf("final report %s lacks %s", [input.report.file, concat(", ", missing)]),
	{"location": {"file": input.report.file}},
) if {
	input.report != null
	missing := [section | some section in required; not section in input.report.headings]
	count(missing) > 0
}

deny contains findings.finding(
	"ops/report-incomplete",
	"no final report was given (--report): it needs EXEC SUMMARY, CHANGES MADE, VERIFICATION EVIDENCE, RISK ASSESSMENT and NEXT SAFE ACTIONS",
	findings.at("/report"),
) if {
	input.report == null
}
