package gatehouse.ops.execution.forbidden_stream_test

import data.gatehouse.ops.execution.forbidden_stream

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

test_success_other_stream if {
	got := forbidden_stream.deny with input as doc([step(1, "2026-11-21T09:00:00Z", "nats pub audit.ops done", "PASS")], [object.union(fact(1, true), {"streams": ["audit.ops"]})])
	got == set()
}

test_fail_forbidden_stream if {
	got := forbidden_stream.deny with input as doc([step(1, "2026-11-21T09:00:00Z", "kcat -P -t orders-v2", "PASS")], [object.union(fact(1, true), {"streams": ["orders-v2"]})])
	got == {{"code": "ops/forbidden-stream", "msg": "step 1 publishes to orders-v2, which NOT_ALLOWED forbids", "location": {"pointer": "/log/steps/0/command"}}}
}
