package main

import (
	"context"
	"sort"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"
)

// runTest is `opa test` (cmd/test.go, no bundle mode, coverage or benchmarks): answers every
// test's outcome as data. A failing test is a result, not an error.
func runTest(req TestRequest) (any, error) {
	if len(req.Paths) == 0 {
		return nil, usageError("test: no paths")
	}
	ctx := context.Background()
	modules, store, err := tester.LoadWithParserOptions(req.Paths, ignoreFilter{ignore: req.Ignore}.apply, ast.ParserOptions{
		RegoVersion:       ast.DefaultRegoVersion,
		ProcessAnnotation: true,
	})
	if err != nil {
		return nil, err
	}
	txn, err := store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)

	compiler := ast.NewCompiler().
		SetErrorLimit(ast.CompileErrorLimitDefault).
		WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn)).
		WithEnablePrintStatements(true).
		WithCapabilities(ast.CapabilitiesForThisVersion()).
		WithUseTypeCheckAnnotations(true)
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		CapturePrintOutput(true).
		StackTraces(true).
		SetModules(modules).
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
