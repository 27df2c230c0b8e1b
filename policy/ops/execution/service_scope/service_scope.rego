# METADATA
# title: "Only ALLOWED_SERVICES are restarted, stopped or killed"
# description: "A systemctl/service action or kill on a unit (collector facts) names a service matching ALLOWED_SERVICES; a kill by pid names no service, so it denies."
# custom:
#   code: ops/service-out-of-scope
#   severity: error
package gatehouse.ops.execution.service_scope

import data.gatehouse.lib.findings
import data.gatehouse.ops.lib.scope

# METADATA
# title: deny
# description: A service action outside ALLOWED_SERVICES.
deny contains findings.finding(
	"ops/service-out-of-scope",
	sprintf("step %d: %s %s is not in ALLOWED_SERVICES %v", [step.number, service.verb, service.unit, input.declaration.ALLOWED_SERVICES]),
	findings.at(sprintf("/log/steps/%d/command", [i])),
) if {
	some i, fact in input.facts
	step := input.log.steps[i]
	some service in fact.services
	not scope.name_matches(input.declaration.ALLOWED_SERVICES, service.unit)
}
