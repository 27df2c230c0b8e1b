# METADATA
# title: "Never-break: data-access functions take the tenant parameter"
# description: |
#   Workspace isolation (opt-in invariant, config contracts.invariants.dataAccessModules): every
#   exported function in a data-access module, and every method callers run (a class's, unless
#   its constructor takes the tenant, or an exported object's), takes a tenant parameter (default
#   workspaceId).
#   No decision can approve a violation.
# custom:
#   code: contracts/invariant-tenant-param
#   severity: block
package gatehouse.contracts.tenant_isolation

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A data-access function without a tenant parameter.
deny contains findings.finding(
	"contracts/invariant-tenant-param",
	sprintf("%s: exported data-access function takes no tenant parameter (%s); workspace isolation cannot be approved away", [fn.id, concat(" or ", input.invariants.tenantParams)]),
	{"location": {"pointer": sprintf("/invariants/exports/%d", [i])}},
) if {
	some i, fn in input.invariants.exports
	fn.dataAccess
	fn.kind in {"function", "method"}
	count({p | some p in fn.params; p in input.invariants.tenantParams}) == 0
}
