package main

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/util"
)

// conftest's rule names (policy/engine.go): what `conftest test` queries.
var (
	traceWarningRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
	traceFailureRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
)

// runTrace is conftest test --trace's evaluation (policy/engine.go: check and query): the same
// queries, in the same order per namespace, through OPA's interpreter with a BufferTracer, and
// the trace pretty-printed as rego.PrintTrace prints it. gatehouse's verdict comes from the
// compiled wasm; this answers only what the interpreter did, for reading.
func runTrace(req TraceRequest) (any, error) {
	loaded, err := loadForVerify("trace", req.Paths, req.Ignore, req.Data, req.RegoVersion, req.Capabilities)
	if err != nil {
		return nil, err
	}
	modules, store, helpers := loaded.policies.ParsedModules(), loaded.store, loaded.helpers
	// conftest test compiles the unit tests too, with its test helpers (it registers them in
	// every command): the same modules give the same trace, down to the generated local names.
	compiler := ast.NewCompiler().
		WithEnablePrintStatements(true).
		WithCapabilities(loaded.caps).
		WithStrict(req.Strict)
	if compiler.Compile(modules); compiler.Failed() {
		return nil, compiler.Errors
	}
	ctx := context.Background()

	// Modules in file order (conftest walks a Go map; a fixed order keeps the answer deterministic).
	files := make([]string, 0, len(modules))
	for file := range modules {
		files = append(files, file)
	}
	sort.Strings(files)
	namespaces, err := traceNamespaces(files, modules, req)
	if err != nil {
		return nil, err
	}

	out := TraceResult{Files: []TracedFile{}}
	for _, input := range req.Inputs {
		var document any
		if err := util.UnmarshalJSON(input.Document, &document); err != nil {
			return nil, usageError(fmt.Sprintf("trace: the document of %s is not JSON: %v", input.Path, err))
		}
		documents := []any{document}
		if list, ok := document.([]any); ok && !input.Whole {
			documents = list
		}
		for _, namespace := range namespaces {
			traced := TracedFile{Path: input.Path, Namespace: namespace, Queries: []TracedQuery{}}
			for _, doc := range documents {
				value, err := ast.InterfaceToValue(doc)
				if err != nil {
					return nil, fmt.Errorf("convert input %s: %w", input.Path, err)
				}
				for _, rule := range traceRules(files, modules, namespace) {
					// conftest matches exceptions on the rule's name without its severity prefix.
					exception := fmt.Sprintf("data.%s.exception[_][_] == %q", namespace, strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(bareRule(rule), "violation_"), "deny_"), "warn_"))
					for _, query := range []string{exception, fmt.Sprintf("data.%s.%s", namespace, rule)} {
						q, err := traceQuery(ctx, compiler, store, helpers, value, query)
						if err != nil {
							return nil, err
						}
						traced.Queries = append(traced.Queries, q)
					}
				}
			}
			out.Files = append(out.Files, traced)
		}
	}
	return out, nil
}

// bareRule is what conftest's removeRulePrefix leaves of a bare deny, violation or warn: "".
func bareRule(rule string) string {
	if rule == "deny" || rule == "violation" || rule == "warn" {
		return ""
	}
	return rule
}

// traceNamespaces are the packages to evaluate, sorted: every one, the literal names asked
// for, or those a glob matches (conftest's filterNamespaces, path.Match).
func traceNamespaces(files []string, modules map[string]*ast.Module, req TraceRequest) ([]string, error) {
	present := []string{}
	seen := map[string]bool{}
	for _, file := range files {
		pkg := strings.TrimPrefix(modules[file].Package.Path.String(), "data.")
		if !seen[pkg] {
			seen[pkg] = true
			present = append(present, pkg)
		}
	}
	sort.Strings(present)
	if req.AllNamespaces {
		return present, nil
	}
	patterns := req.Namespaces
	if len(patterns) == 0 {
		patterns = []string{"main"}
	}
	glob := false
	for _, p := range patterns {
		glob = glob || strings.ContainsAny(p, "*?[")
	}
	if !glob {
		return patterns, nil
	}
	out := []string{}
	for _, pkg := range present {
		for _, pattern := range patterns {
			matched, err := path.Match(pattern, pkg)
			if err != nil {
				return nil, usageError(fmt.Sprintf("match pattern %q: %v", pattern, err))
			}
			if matched {
				out = append(out, pkg)
				break
			}
		}
	}
	return out, nil
}

// traceRules are the unique deny, violation and warn rule names of a namespace, in module order.
func traceRules(files []string, modules map[string]*ast.Module, namespace string) []string {
	rules := []string{}
	for _, file := range files {
		module := modules[file]
		if strings.TrimPrefix(module.Package.Path.String(), "data.") != namespace {
			continue
		}
		for _, rule := range module.Rules {
			name := rule.Head.Name.String()
			if !traceFailureRule.MatchString(name) && !traceWarningRule.MatchString(name) {
				continue
			}
			known := false
			for _, r := range rules {
				known = known || strings.EqualFold(r, name)
			}
			if !known {
				rules = append(rules, name)
			}
		}
	}
	return rules
}

func traceQuery(ctx context.Context, compiler *ast.Compiler, store storage.Store, helpers []*tester.Builtin, input ast.Value, query string) (TracedQuery, error) {
	tracer := topdown.NewBufferTracer()
	r := rego.New(
		rego.ParsedInput(input),
		rego.Query(query),
		rego.Compiler(compiler),
		rego.Store(store),
		rego.QueryTracer(tracer),
	)
	for _, h := range helpers {
		h.Func(r)
	}
	results, err := r.Eval(ctx)
	if err != nil {
		return TracedQuery{}, fmt.Errorf("evaluating policy: %w", err)
	}
	return TracedQuery{Query: query, Passed: queryPassed(results), Trace: prettyTrace(*tracer)}, nil
}

// queryPassed is conftest's QueryResult.Passed: no result carries a message (a string, or an
// object's msg).
func queryPassed(results rego.ResultSet) bool {
	for _, result := range results {
		for _, expression := range result.Expressions {
			values, _ := expression.Value.([]any)
			for _, v := range values {
				switch val := v.(type) {
				case string:
					if val != "" {
						return false
					}
				case map[string]any:
					if msg, _ := val["msg"].(string); msg != "" {
						return false
					}
				}
			}
		}
	}
	return true
}

// prettyTrace is topdown.PrettyTrace, one entry per non-empty line (as conftest keeps them).
func prettyTrace(events []*topdown.Event) []string {
	buf := new(bytes.Buffer)
	topdown.PrettyTrace(buf, events)
	lines := []string{}
	for _, line := range strings.Split(buf.String(), "\n") {
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}
