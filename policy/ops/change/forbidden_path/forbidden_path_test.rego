package gatehouse.ops.change.forbidden_path_test

import data.gatehouse.ops.change.forbidden_path

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

test_success_allowed_path if {
	got := forbidden_path.deny with input as doc([change("modified", "deploy/nginx/nginx.conf")])
	got == set()
}

test_fail_forbidden_inside_allowed_and_secret_glob if {
	got := forbidden_path.deny with input as doc([change("modified", "deploy/nginx/tls/site.crt"), change("added", "deploy/prod.env")])
	got == {
		{"code": "ops/change-forbidden-path", "msg": "deploy/nginx/tls/site.crt (modified) matches NOT_ALLOWED of \"tune nginx\"", "location": {"file": "deploy/nginx/tls/site.crt"}, "scope": "change"},
		{"code": "ops/change-forbidden-path", "msg": "deploy/prod.env (added) matches NOT_ALLOWED of \"tune nginx\"", "location": {"file": "deploy/prod.env"}, "scope": "change"},
	}
}
