# METADATA
# title: "Data access uses the caller's own tenant"
# description: |
#   A call to a data-access function (in a `dataAccessModules` module or tagged `@dataAccess`)
#   passes as its tenant parameter a value that, followed inside the calling function, comes
#   from another parameter, a module-level constant or a literal, not from the caller's own
#   tenant parameter: data of one workspace read or written for another.
# custom:
#   code: security/cross-tenant-call
#   severity: error
package gatehouse.security.cross_tenant_call

import data.gatehouse.lib.security

mixing := {"other-parameter": "another parameter", "module-constant": "a module-level constant", "literal": "a literal"}

# METADATA
# title: deny
# description: A data-access call whose tenant is not the caller's own.
deny contains security.finding(
	"security/cross-tenant-call",
	sprintf(
		"%s:%d: %s calls %s (%s) with %s = %s, taken from %s, not from its own tenant parameter; pass the caller's %s",
		[call.file, call.line, call.caller, call.callee, call.calleeFile, call.tenantParam, call.argument, mixing[call.origin], call.tenantParam],
	),
	call,
) if {
	security.enabled("tenant")
	some call in input.tenantCalls
	mixing[call.origin]
}
