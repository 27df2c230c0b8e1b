package gatehouse.ops.execution.read_only_mutation_test

import data.gatehouse.ops.execution.read_only_mutation

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

test_success_read_only_reads if {
	got := read_only_mutation.deny with input as object.union(doc([step(1, "2026-11-21T09:00:00Z", "systemctl status nginx", "PASS")], [fact(1, false)]), {"declaration": {"RISK_CLASS": "READ_ONLY"}})
	got == set()
}

test_fail_read_only_restarts if {
	got := read_only_mutation.deny with input as object.union(ok_doc, {"declaration": {"RISK_CLASS": "READ_ONLY"}})
	got == {{"code": "ops/read-only-changed", "msg": "step 1 (systemctl restart nginx) changes something, but \"restart nginx\" is READ_ONLY", "location": {"pointer": "/log/steps/0/command"}}}
}
