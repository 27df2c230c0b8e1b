package gatehouse.ops.change.undeclared_secret_test

import data.gatehouse.ops.change.undeclared_secret

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

secret(path, reason) := {"status": "added", "path": path, "secret_like": true, "secret_reason": reason}

test_success_declared_secret if {
	got := undeclared_secret.deny with input as object.union(doc([secret("deploy/nginx/tls/new.pem", "key or certificate store")]), {"declaration": {"DECLARED_SECRET_FILES": ["deploy/nginx/tls/*.pem"]}})
	got == set()
}

test_fail_undeclared_secret if {
	got := undeclared_secret.deny with input as doc([secret("deploy/nginx/id_rsa", "SSH private key"), change("modified", "deploy/nginx/nginx.conf")])
	got == {{"code": "ops/undeclared-secret", "msg": "deploy/nginx/id_rsa (added) looks like a secret (SSH private key) and is not in DECLARED_SECRET_FILES", "location": {"file": "deploy/nginx/id_rsa"}, "scope": "change"}}
}
