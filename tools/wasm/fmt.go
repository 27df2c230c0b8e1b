package main

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// runFmt is `opa fmt` on one module's source. With From "v0" the source is parsed as Rego v0
// and written in v1 syntax (format.SourceWithOpts rewrites keywords and imports in the module).
func runFmt(req FmtRequest) (any, error) {
	file := req.File
	if file == "" {
		file = "stdin"
	}
	parse := ast.ParserOptions{RegoVersion: ast.DefaultRegoVersion, Capabilities: ast.CapabilitiesForThisVersion()}
	switch req.From {
	case "", "v1":
	case "v0":
		parse.RegoVersion = ast.RegoV0
		// Parsing v0 needs v0's keywords and features besides this version's.
		parse.Capabilities = ast.CapabilitiesForThisVersion(ast.CapabilitiesRegoVersion(ast.RegoV0))
	default:
		return nil, usageError(`fmt: "from" must be "v0" or "v1"`)
	}
	formatted, err := format.SourceWithOpts(file, []byte(req.Source), format.Opts{
		RegoVersion:   ast.RegoV1,
		Capabilities:  ast.CapabilitiesForThisVersion(),
		ParserOptions: &parse,
	})
	if err != nil {
		return nil, err
	}
	return FmtResult{Formatted: string(formatted)}, nil
}
