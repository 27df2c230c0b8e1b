package main

import "github.com/open-policy-agent/opa/v1/ast"

// regoVersion reads a request's RegoVersion: "" and "v1" are Rego v1, "v0" is Rego v0.
func regoVersion(name string) (ast.RegoVersion, error) {
	switch name {
	case "", "v1", "V1":
		return ast.RegoV1, nil
	case "v0", "V0":
		return ast.RegoV0, nil
	}
	return ast.RegoUndefined, usageError("invalid Rego version: " + name + " (v0 or v1)")
}
