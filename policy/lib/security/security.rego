# METADATA
# title: Security review helpers
# description: |
#   Shared by the policy/security rules: whether the policy pack turned a check on (the
#   collector lists the checks it collected facts for), and the finding every security rule
#   builds: its code and message, the file and line the fact points at, scope `change`.
package gatehouse.lib.security

import data.gatehouse.lib.findings

# METADATA
# title: enabled
# description: True when the effective policy pack turned `check` on for this input.
enabled(check) if check in input.checks

# METADATA
# title: finding
# description: A finding located at the fact's file and line (and column when the fact has one), scope change.
finding(code, msg, fact) := findings.finding(code, msg, {"location": location(fact), "scope": "change"})

location(fact) := {"file": fact.file, "line": fact.line, "column": fact.column} if {
	fact.column
} else := {"file": fact.file, "line": fact.line}
