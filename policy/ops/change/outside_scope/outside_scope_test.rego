package gatehouse.ops.change.outside_scope_test

import data.gatehouse.ops.change.outside_scope

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

test_success_inside_scope_and_paperwork if {
	got := outside_scope.deny with input as doc([change("modified", "deploy/nginx/nginx.conf"), change("added", "ops/op.md")])
	got == set()
}

test_fail_outside_and_renamed_from_outside if {
	renamed := object.union(change("renamed", "deploy/nginx/moved.conf"), {"old_path": "etc/legacy.conf"})
	got := outside_scope.deny with input as doc([change("deleted", "src/app.ts"), renamed])
	got == {
		{
			"code": "ops/change-outside-scope",
			"msg": "src/app.ts (deleted) is outside ALLOWED_PATHS [\"deploy/nginx/**\", \"docs/ops/*.md\"] of \"tune nginx\"",
			"location": {"file": "src/app.ts"}, "scope": "change",
		},
		{
			"code": "ops/change-outside-scope",
			"msg": "etc/legacy.conf (renamed) is outside ALLOWED_PATHS [\"deploy/nginx/**\", \"docs/ops/*.md\"] of \"tune nginx\"",
			"location": {"file": "etc/legacy.conf"}, "scope": "change",
		},
	}
}
