package gatehouse.ops.execution.unverified_mutation_test

import data.gatehouse.ops.execution.unverified_mutation

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

test_success_verified_in_step_or_by_next if {
	got := unverified_mutation.deny with input as doc(
		[bare(1, "2026-11-21T09:00:00Z", "cp a /etc/nginx/a", "PASS"), step(2, "2026-11-21T09:01:00Z", "cat /etc/nginx/a", "PASS"), step(3, "2026-11-21T09:02:00Z", "systemctl reload nginx", "PASS")],
		[fact(1, true), fact(2, false), fact(3, true)],
	)
	got == set()
}

test_fail_unverified_mutation if {
	got := unverified_mutation.deny with input as doc(
		[bare(1, "2026-11-21T09:00:00Z", "rm /etc/nginx/old.conf", "PASS"), bare(2, "2026-11-21T09:01:00Z", "systemctl reload nginx", "PASS")],
		[fact(1, true), fact(2, true)],
	)
	got == {
		{"code": "ops/unverified-mutation", "msg": "step 1 (rm /etc/nginx/old.conf) changes something but nothing verifies it", "location": {"pointer": "/log/steps/0"}},
		{"code": "ops/unverified-mutation", "msg": "step 2 (systemctl reload nginx) changes something but nothing verifies it", "location": {"pointer": "/log/steps/1"}},
	}
}
