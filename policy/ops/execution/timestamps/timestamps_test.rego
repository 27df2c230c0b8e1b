package gatehouse.ops.execution.timestamps_test

import data.gatehouse.ops.execution.timestamps

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

tf(n, utc) := object.union(fact(n, false), {"utc": utc})

test_success_increasing if {
	got := timestamps.deny with input as doc(
		[step(1, "2026-11-21T09:00:00Z", "systemctl status nginx", "PASS"), step(2, "2026-11-21T09:00:01Z", "systemctl status nginx", "PASS")],
		[tf(1, "2026-11-21T09:00:00.000000000Z"), tf(2, "2026-11-21T09:00:01.000000000Z")],
	)
	got == set()
}

test_fail_equal_and_backwards if {
	got := timestamps.deny with input as doc(
		[
			step(1, "2026-11-21T09:00:00Z", "a", "PASS"),
			step(2, "2026-11-21T09:00:00Z", "b", "PASS"),
			step(3, "2026-11-21T08:59:00Z", "c", "PASS"),
		],
		[tf(1, "2026-11-21T09:00:00.000000000Z"), tf(2, "2026-11-21T09:00:00.000000000Z"), tf(3, "2026-11-21T08:59:00.000000000Z")],
	)
	got == {
		{"code": "ops/timestamps-not-increasing", "msg": "step 2 at 2026-11-21T09:00:00Z is not after step 1 at 2026-11-21T09:00:00Z", "location": {"pointer": "/log/steps/1/timestamp"}},
		{"code": "ops/timestamps-not-increasing", "msg": "step 3 at 2026-11-21T08:59:00Z is not after step 2 at 2026-11-21T09:00:00Z", "location": {"pointer": "/log/steps/2/timestamp"}},
	}
}
