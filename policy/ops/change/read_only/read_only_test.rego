package gatehouse.ops.change.read_only_test

import data.gatehouse.ops.change.read_only

decl := {
	"OPERATION_NAME": "tune nginx",
	"OBJECTIVE": "raise worker_connections",
	"RISK_CLASS": "LOW_RISK_CONFIG",
	"BLAST_RADIUS": "web tier",
	"ROLLBACK_STRATEGY": "git revert",
	"ALLOWED_PATHS": ["deploy/nginx/**", "docs/ops/*.md"],
	"ALLOWED_SERVICES": ["nginx"],
	"NOT_ALLOWED": {"paths": ["deploy/nginx/tls/**"], "streams": [], "secrets": ["**/*.env"], "changes": ["firewall"]},
}

doc(changes) := {"declaration": decl, "declaration_file": "ops/op.md", "base": "HEAD", "exempt": ["ops/op.md"], "changes": changes}

change(status, path) := {"status": status, "path": path, "secret_like": false}

test_success_read_only_with_only_paperwork if {
	got := read_only.deny with input as object.union(doc([change("added", "ops/op.md")]), {"declaration": {"RISK_CLASS": "READ_ONLY"}})
	got == set()
}

test_success_not_read_only if {
	got := read_only.deny with input as doc([change("modified", "deploy/nginx/nginx.conf")])
	got == set()
}

test_fail_read_only_changed_a_file if {
	got := read_only.deny with input as object.union(doc([change("modified", "deploy/nginx/nginx.conf")]), {"declaration": {"RISK_CLASS": "READ_ONLY"}})
	got == {{"code": "ops/read-only-changed", "msg": "deploy/nginx/nginx.conf (modified) changed, but \"tune nginx\" is READ_ONLY", "location": {"file": "deploy/nginx/nginx.conf"}, "scope": "change"}}
}
