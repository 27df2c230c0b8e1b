package main

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/loader"
)

// runCheck is `opa check` (cmd/check.go's checkModules, without bundle mode or schemas):
// load the Rego files, compile them, answer the compiler's errors as data.
func runCheck(req CheckRequest) (any, error) {
	if len(req.Paths) == 0 {
		return nil, usageError("check: no paths")
	}
	caps, err := capabilities(req.Capabilities)
	if err != nil {
		return nil, err
	}
	result, err := loader.NewFileLoader().
		WithRegoVersion(ast.DefaultRegoVersion).
		WithProcessAnnotation(true).
		WithBundleLazyLoadingMode(bundle.HasExtension()).
		WithCapabilities(caps).
		Filtered(req.Paths, ignoreFilter{ignore: req.Ignore, onlyRego: true}.apply)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().
		SetErrorLimit(ast.CompileErrorLimitDefault).
		WithCapabilities(caps).
		WithSchemas(nil).
		WithEnablePrintStatements(true).
		WithStrict(req.Strict).
		WithUseTypeCheckAnnotations(true)
	if compiler.Compile(result.ParsedModules()); compiler.Failed() {
		return nil, compiler.Errors
	}
	return CheckResult{}, nil
}
