package gatehouse.ops.execution.fail_rollback_test

import data.gatehouse.ops.execution.fail_rollback

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

test_success_fail_then_rollback if {
	got := fail_rollback.deny with input as doc(
		[step(1, "2026-11-21T09:00:00Z", "systemctl restart nginx", "FAIL"), step(2, "2026-11-21T09:01:00Z", "cp /etc/nginx/bak /etc/nginx/nginx.conf", "ROLLBACK")],
		[fact(1, true), fact(2, true)],
	)
	got == set()
}

test_fail_fail_without_rollback if {
	got := fail_rollback.deny with input as doc(
		[step(1, "2026-11-21T09:00:00Z", "systemctl restart nginx", "FAIL"), step(2, "2026-11-21T09:01:00Z", "systemctl restart nginx", "PASS")],
		[fact(1, true), fact(2, true)],
	)
	got == {{"code": "ops/fail-without-rollback", "msg": "step 1 failed (systemctl restart nginx) and no rollback step (status ROLLBACK) follows it", "location": {"pointer": "/log/steps/0"}}}
}
