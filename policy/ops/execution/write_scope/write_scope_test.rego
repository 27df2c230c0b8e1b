package gatehouse.ops.execution.write_scope_test

import data.gatehouse.ops.execution.write_scope

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

test_success_write_inside if {
	got := write_scope.deny with input as doc([step(1, "2026-11-21T09:00:00Z", "tee /etc/nginx/conf.d/x.conf", "PASS")], [object.union(fact(1, true), {"writes": ["/etc/nginx/conf.d/x.conf"]})])
	got == set()
}

test_fail_write_outside_and_forbidden if {
	got := write_scope.deny with input as doc(
		[step(1, "2026-11-21T09:00:00Z", "cp x /etc/hosts; cp k /etc/nginx/secrets/site.key", "PASS")],
		[object.union(fact(1, true), {"writes": ["/etc/hosts", "/etc/nginx/secrets/site.key"]})],
	)
	got == {
		{"code": "ops/write-out-of-scope", "msg": "step 1 writes /etc/hosts, outside ALLOWED_PATHS [\"/etc/nginx/**\"]", "location": {"pointer": "/log/steps/0/command"}},
		{"code": "ops/write-out-of-scope", "msg": "step 1 writes /etc/nginx/secrets/site.key, which NOT_ALLOWED forbids", "location": {"pointer": "/log/steps/0/command"}},
	}
}

test_fail_recursive_write_reaches_forbidden_tree if {
	got := write_scope.deny with input as doc(
		[step(1, "2026-11-21T09:00:00Z", "rm -rf /etc/nginx/secrets; cp new.key /etc/nginx/conf.d", "PASS")],
		[object.union(fact(1, true), {"writes": ["/etc/nginx/secrets", "/etc/nginx/conf.d"], "reaches": ["/etc/nginx/secrets/**", "/etc/nginx/conf.d/new.key"]})],
	)
	count(got) == 3
}
