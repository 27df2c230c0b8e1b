package gatehouse.ops.execution.report_sections_test

import data.gatehouse.ops.execution.report_sections

decl := {
	"OPERATION_NAME": "restart nginx",
	"OBJECTIVE": "pick up the renewed certificate",
	"RISK_CLASS": "SERVICE_RESTART",
	"BLAST_RADIUS": "web-1",
	"ROLLBACK_STRATEGY": "restore previous cert and reload",
	"ALLOWED_PATHS": ["/etc/nginx/**"],
	"ALLOWED_SERVICES": ["nginx"],
	"NOT_ALLOWED": {"paths": ["/etc/nginx/secrets/**"], "streams": ["orders*"], "secrets": ["**/*.key"], "changes": ["firewall", "network"]},
}

verify := {"command": "systemctl is-active nginx", "output": "active"}

step(n, ts, command, status) := {"number": n, "timestamp": ts, "command": command, "result": "ok", "status": status, "verification": verify}

bare(n, ts, command, status) := {"number": n, "timestamp": ts, "command": command, "result": "ok", "status": status}

fact(n, mutating) := {"number": n, "mutating": mutating, "writes": [], "services": [], "streams": [], "categories": []}

report_ok := {"file": "report.md", "headings": ["EXEC SUMMARY", "CHANGES MADE", "VERIFICATION EVIDENCE", "RISK ASSESSMENT", "NEXT SAFE ACTIONS"]}

doc(steps, facts) := {"declaration": decl, "log": {"operation_name": "restart nginx", "steps": steps}, "facts": facts, "report": report_ok}

ok_doc := doc([step(1, "2026-11-21T09:00:00Z", "systemctl restart nginx", "PASS")], [object.union(fact(1, true), {"services": [{"verb": "restart", "unit": "nginx"}]})])

test_success_complete_report if {
	got := report_sections.deny with input as ok_doc
	got == set()
}

test_fail_missing_sections if {
	got := report_sections.deny with input as object.union(ok_doc, {"report": {"file": "report.md", "headings": ["EXEC SUMMARY", "CHANGES MADE"]}})
	got == {{"code": "ops/report-incomplete", "msg": "final report report.md lacks VERIFICATION EVIDENCE, RISK ASSESSMENT, NEXT SAFE ACTIONS", "location": {"file": "report.md"}}}
}

test_fail_no_report if {
	got := report_sections.deny with input as object.union(ok_doc, {"report": null})
	got == {{"code": "ops/report-incomplete", "msg": "no final report was given (--report): it needs EXEC SUMMARY, CHANGES MADE, VERIFICATION EVIDENCE, RISK ASSESSMENT and NEXT SAFE ACTIONS", "location": {"pointer": "/report"}}}
}
