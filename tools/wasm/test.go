package main

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"
)

// runTest is `opa test` (cmd/test.go, no bundle mode, coverage or benchmarks) with conftest
// verify's loading: the Rego of the policy paths (other files there are not data), data only
// from the data paths (JSON and YAML), conftest's test helpers declared. Answers every test's
// outcome as data; a failing test is a result, not an error.
func runTest(req TestRequest) (any, error) {
	loaded, err := loadForVerify("test", req.Paths, req.Ignore, req.Data, req.RegoVersion, req.Capabilities)
	if err != nil {
		return nil, err
	}
	policies, store, caps, helpers := loaded.policies, loaded.store, loaded.caps, loaded.helpers
	ctx := context.Background()
	txn, err := store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)

	compiler := ast.NewCompiler().
		SetErrorLimit(ast.CompileErrorLimitDefault).
		WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn)).
		WithEnablePrintStatements(true).
		WithCapabilities(caps).
		WithStrict(req.Strict).
		WithUseTypeCheckAnnotations(true)
	var coverage *cover.Cover
	if req.Coverage {
		coverage = cover.New()
	}
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		CapturePrintOutput(true).
		StackTraces(true).
		SetModules(policies.ParsedModules()).
		AddCustomBuiltins(helpers).
		SetTimeout(5 * time.Second).
		EnableTracing(req.Trace).
		Filter(req.Run)
	if coverage != nil {
		runner.SetCoverageQueryTracer(coverage)
	}
	results, err := runner.RunTests(ctx, txn)
	if err != nil {
		return nil, err
	}
	tests := []TestCase{}
	for r := range results {
		c := testCase(r)
		if req.Trace {
			c.Trace = prettyTrace(r.Trace)
		}
		tests = append(tests, c)
	}
	sortTests(tests)
	out := TestResult{Tests: tests}
	if coverage != nil {
		out.DenyRules = denyRuleCoverage(policies.ParsedModules(), coverage.Report(policies.ParsedModules()))
	}
	return out, nil
}

var denyRuleName = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)

// denyRuleCoverage is, for every deny and violation rule outside the test files, whether some
// test made it produce a value (OPA's coverage covers a rule's head when the rule exits).
func denyRuleCoverage(modules map[string]*ast.Module, report cover.Report) []DenyRule {
	rules := []DenyRule{}
	for file, module := range modules {
		if strings.HasSuffix(file, "_test.rego") {
			continue
		}
		for _, rule := range module.Rules {
			name := ruleHeadName(rule.Head)
			if !denyRuleName.MatchString(name) || rule.Head.Location == nil {
				continue
			}
			covered := false
			if fileReport, ok := report.Files[rule.Head.Location.File]; ok && fileReport != nil {
				covered = fileReport.IsCovered(rule.Head.Location.Row)
			}
			pkg := strings.TrimPrefix(module.Package.Path.String(), "data.")
			rules = append(rules, DenyRule{Package: pkg, Rule: name, Location: location(rule.Head.Location), Covered: covered})
		}
	}
	sort.Slice(rules, func(i, j int) bool {
		a, b := rules[i].Location, rules[j].Location
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Row < b.Row
	})
	return rules
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
