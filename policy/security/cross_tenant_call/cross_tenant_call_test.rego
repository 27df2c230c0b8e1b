package gatehouse.security.cross_tenant_call_test

import data.gatehouse.security.cross_tenant_call

call(caller, argument, origin) := {
	"file": "src/billing.ts", "line": 12, "caller": caller, "callee": "listInvoices", "calleeFile": "src/db/invoices.ts",
	"tenantParam": "workspaceId", "argument": argument, "origin": origin,
}

test_fail_tenant_from_other_parameter if {
	got := cross_tenant_call.deny with input as {"checks": ["tenant"], "tenantCalls": [
		call("copyInvoices", "targetWorkspaceId", "other-parameter"),
		call("listOwn", "workspaceId", "own-tenant"),
		call("fromCache", "cache.get()", "unknown"),
	]}
	got == {{
		"code": "security/cross-tenant-call",
		"msg": "src/billing.ts:12: copyInvoices calls listInvoices (src/db/invoices.ts) with workspaceId = targetWorkspaceId, taken from another parameter, not from its own tenant parameter; pass the caller's workspaceId",
		"location": {"file": "src/billing.ts", "line": 12},
		"scope": "change",
	}}
}

test_fail_module_constant_and_literal if {
	got := cross_tenant_call.deny with input as {"checks": ["tenant"], "tenantCalls": [call("a", "DEFAULT_WS", "module-constant"), call("b", "\"ws-1\"", "literal")]}
	count(got) == 2
}

test_success_check_off if {
	got := cross_tenant_call.deny with input as {"checks": [], "tenantCalls": [call("a", "x", "other-parameter")]}
	got == set()
}
