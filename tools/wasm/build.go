package main

import (
	"bytes"
	"context"
	"os"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
)

// runBuild is `opa build -t wasm` with the CLI's defaults (cmd/build.go's dobuild): no bundle
// mode, no optimisation, no print statements, rego v1. Anything else would change the bytes.
func runBuild(req BuildRequest) (any, error) {
	if len(req.Paths) == 0 {
		return nil, usageError("build: no paths")
	}
	if len(req.Entrypoints) == 0 {
		return nil, usageError("build: no entrypoints")
	}
	caps, err := capabilities(req.Capabilities)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	compiler := compile.New().
		WithCapabilities(caps).
		WithTarget(compile.TargetWasm).
		WithPlanFormat(compile.PlanFormatJSON).
		WithAsBundle(false).
		WithOptimizationLevel(0).
		WithOutput(&out).
		WithEntrypoints(req.Entrypoints...).
		WithRegoAnnotationEntrypoints(true).
		WithPaths(req.Paths...).
		WithFilter(buildFilter(req.Ignore)).
		WithBundleLazyLoadingMode(bundle.HasExtension()).
		WithBundleVerificationKeyID("default").
		WithPartialNamespace("partial").
		WithFollowSymlinks(false).
		WithPlanAddons([]string{}).
		WithRegoVersion(ast.DefaultRegoVersion).
		WithEnablePrintStatements(false)
	if err := compiler.Build(context.Background()); err != nil {
		return nil, err
	}
	return BuildResult{Bundle: out.Bytes()}, nil
}

// buildFilter is the CLI's build filter: tarballs are skipped outside bundle mode, then --ignore.
func buildFilter(ignore []string) func(string, os.FileInfo, int) bool {
	return func(abspath string, info os.FileInfo, depth int) bool {
		if !info.IsDir() && strings.HasSuffix(abspath, ".tar.gz") {
			return true
		}
		return ignoreFilter{ignore: ignore}.apply(abspath, info, depth)
	}
}
