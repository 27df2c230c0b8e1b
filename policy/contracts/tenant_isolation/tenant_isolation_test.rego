package gatehouse.contracts.tenant_isolation_test

import data.gatehouse.contracts.tenant_isolation

fn(id, params, data_access) := {
	"id": id, "kind": "function", "params": params, "sideEffects": [], "returnsEvidence": [], "returnType": "",
	"dataAccess": data_access, "summary": false,
}

test_fail_missing_tenant if {
	got := tenant_isolation.deny with input as {"invariants": {"tenantParams": ["workspaceId", "tenant"], "evidenceFields": ["evidence"], "exports": [
		fn("src/db/users.ts#listUsers", ["limit"], true),
		fn("src/db/users.ts#getUser", ["workspaceId", "id"], true),
		fn("src/ui.ts#render", ["x"], false),
	]}}
	got == {{
		"code": "contracts/invariant-tenant-param",
		"msg": "src/db/users.ts#listUsers: exported data-access function takes no tenant parameter (workspaceId or tenant); workspace isolation cannot be approved away",
		"location": {"pointer": "/invariants/exports/0"},
	}}
}

test_success_no_invariants_section if {
	got := tenant_isolation.deny with input as {"changes": []}
	got == set()
}

test_fail_method_missing_tenant if {
	method := object.union(fn("src/db/repo.ts#InvoiceRepo.list", ["limit"], true), {"kind": "method"})
	got := tenant_isolation.deny with input as {"invariants": {"tenantParams": ["workspaceId"], "evidenceFields": ["evidence"], "exports": [method]}}
	count(got) == 1
}
