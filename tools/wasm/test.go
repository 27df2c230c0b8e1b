package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// runTest is `opa test` (cmd/test.go, no bundle mode, coverage or benchmarks) with conftest
// verify's loading: the Rego of the policy paths (other files there are not data), data only
// from the data paths (JSON and YAML), conftest's test helpers declared. Answers every test's
// outcome as data; a failing test is a result, not an error.
func runTest(req TestRequest) (any, error) {
	if len(req.Paths) == 0 {
		return nil, usageError("test: no paths")
	}
	version, err := regoVersion(req.RegoVersion)
	if err != nil {
		return nil, err
	}
	caps, err := capabilities(req.Capabilities)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	policies, err := loader.NewFileLoader().
		WithRegoVersion(version).
		WithProcessAnnotation(true).
		Filtered(req.Paths, ignoreFilter{ignore: req.Ignore, onlyRego: true}.apply)
	if err != nil {
		return nil, err
	}
	store := inmem.New()
	if len(req.Data) > 0 {
		documents, err := loader.NewFileLoader().Filtered(req.Data, onlyDataFiles)
		if err != nil {
			return nil, err
		}
		if store, err = documents.Store(); err != nil {
			return nil, err
		}
	}
	txn, err := store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)

	// conftest's test helpers are declared to this compiler only (testhelpers.go).
	helpers := testHelpers()
	for _, h := range helpers {
		caps.Builtins = append(caps.Builtins, h.Decl)
	}
	compiler := ast.NewCompiler().
		SetErrorLimit(ast.CompileErrorLimitDefault).
		WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn)).
		WithEnablePrintStatements(true).
		WithCapabilities(caps).
		WithStrict(req.Strict).
		WithUseTypeCheckAnnotations(true)
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		CapturePrintOutput(true).
		StackTraces(true).
		SetModules(policies.ParsedModules()).
		AddCustomBuiltins(helpers).
		SetTimeout(5 * time.Second).
		Filter(req.Run)
	results, err := runner.RunTests(ctx, txn)
	if err != nil {
		return nil, err
	}
	tests := []TestCase{}
	for r := range results {
		tests = append(tests, testCase(r))
	}
	sortTests(tests)
	return TestResult{Tests: tests}, nil
}

// onlyDataFiles keeps JSON and YAML files, as conftest's --data does.
func onlyDataFiles(_ string, info os.FileInfo, _ int) bool {
	if info.IsDir() {
		return false
	}
	switch filepath.Ext(info.Name()) {
	case ".json", ".yaml", ".yml":
		return false
	}
	return true
}

func testCase(r *tester.Result) TestCase {
	c := TestCase{Package: r.Package, Name: r.Name, Location: location(r.Location), Output: string(r.Output)}
	switch {
	case r.Error != nil:
		c.Outcome = "error"
		if errs := toolErrors(r.Error); len(errs) > 0 {
			c.Error = &errs[0]
		}
	case r.Fail:
		c.Outcome = "fail"
	case r.Skip:
		c.Outcome = "skip"
	default:
		c.Outcome = "pass"
	}
	return c
}

func sortTests(tests []TestCase) {
	sort.SliceStable(tests, func(i, j int) bool {
		a, b := tests[i], tests[j]
		af, bf, ar, br := "", "", 0, 0
		if a.Location != nil {
			af, ar = a.Location.File, a.Location.Row
		}
		if b.Location != nil {
			bf, br = b.Location.File, b.Location.Row
		}
		if af != bf {
			return af < bf
		}
		if ar != br {
			return ar < br
		}
		return a.Package+"."+a.Name < b.Package+"."+b.Name
	})
}
