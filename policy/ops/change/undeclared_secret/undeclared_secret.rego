# METADATA
# title: "Secret-looking files change only when declared"
# description: "A changed file that looks like a secret (private key, .env, credentials; flagged by the collector) denies unless DECLARED_SECRET_FILES names it."
# custom:
#   code: ops/undeclared-secret
#   severity: error
package gatehouse.ops.change.undeclared_secret

import data.gatehouse.lib.findings
import data.gatehouse.ops.lib.scope

# METADATA
# title: deny
# description: An undeclared secret-looking file changed.
deny contains findings.finding(
	"ops/undeclared-secret",
	sprintf("%s (%s) looks like a secret (%s) and is not in DECLARED_SECRET_FILES", [change.path, change.status, object.get(change, "secret_reason", "flagged by the collector")]),
	{"location": {"file": change.path}, "scope": "change"},
) if {
	some change in input.changes
	change.secret_like
	not scope.path_matches(object.get(input.declaration, "DECLARED_SECRET_FILES", []), change.path)
}
