# METADATA
# title: "No secret in the changed lines"
# description: |
#   A changed line of code, configuration or a log holds a secret that secretlint's recommended
#   rule set recognises (cloud keys, API tokens, private keys, credentials in URLs ...). The
#   finding shows the secret masked, never the secret: rotate it, then remove it from the change.
# custom:
#   code: security/secret-in-change
#   severity: error
package gatehouse.security.secret_in_change

import data.gatehouse.lib.security

# METADATA
# title: deny
# description: A secret on a changed line.
deny contains security.finding(
	"security/secret-in-change",
	sprintf("%s:%d: %s (%s) on a changed line: %s; rotate it and remove it from the change", [secret.file, secret.line, secret.kind, secret.rule, secret.masked]),
	secret,
) if {
	security.enabled("secrets")
	some secret in input.secrets
}
