package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// request runs one encoded request through handle (what main does between stdin and stdout)
// from inside dir, as the module runs with PWD set to the workspace.
func request(t *testing.T, dir string, command string, args any) Response {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	input, err := json.Marshal(Request{Protocol: ProtocolVersion, Command: command, Args: raw})
	if err != nil {
		t.Fatal(err)
	}
	if dir != "" {
		t.Chdir(dir)
	}
	return handle(input)
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEnvelopeErrorsAreData(t *testing.T) {
	cases := map[string]string{
		`{"protocol":9,"command":"version"}`:                                              "protocol version 9 requested, this module speaks 3",
		`{"protocol":3,"command":"nope"}`:                                                 `unknown command "nope"`,
		`{"protocol":3,"command":"version","extra":1}`:                                    "invalid request",
		`{"protocol":3,"command":"check","args":{"paths":["."],"strict":true,"bogus":1}}`: "invalid arguments",
		`not json`: "invalid request",
	}
	for input, want := range cases {
		got := handle([]byte(input))
		if got.OK || len(got.Errors) != 1 || got.Errors[0].Code != usageCode || !strings.Contains(got.Errors[0].Message, want) {
			t.Errorf("%s: got %+v, want a %s error containing %q", input, got, usageCode, want)
		}
		if got.Protocol != ProtocolVersion {
			t.Errorf("%s: answered in protocol %d", input, got.Protocol)
		}
	}
}

func TestCheckAnswersCompilerErrorsWithLocations(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.rego": "package a\n\ndeny contains msg if {\n\tx := 1\n\tmsg := \"m\"\n}\n",
	})
	strict := request(t, dir, "check", CheckRequest{Paths: []string{"."}, Strict: true})
	if strict.OK || len(strict.Errors) != 1 {
		t.Fatalf("strict check: %+v", strict)
	}
	want := ToolError{Code: "rego_compile_error", Message: "assigned var x unused", Location: &Location{File: "a.rego", Row: 4, Col: 2}}
	if got := strict.Errors[0]; got.Code != want.Code || got.Message != want.Message || *got.Location != *want.Location {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if lax := request(t, dir, "check", CheckRequest{Paths: []string{"."}}); !lax.OK {
		t.Errorf("non-strict check of the same module: %+v", lax)
	}
}

func TestParseSummarisesPackageAndRules(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"p/x.rego": "package gatehouse.x\n\ndeny contains \"a\" if input.a\n\ndeny contains \"b\" if input.b\n\nwarn[\"w\"] if input.w\n\nhelper := 1\n",
	})
	got := request(t, dir, "parse", ParseRequest{Paths: []string{"p/x.rego"}})
	if !got.OK {
		t.Fatalf("%+v", got)
	}
	modules := got.Result.(ParseResult).Modules
	if len(modules) != 1 || strings.Join(modules[0].Package, ".") != "gatehouse.x" || strings.Join(modules[0].Rules, ",") != "deny,warn,helper" {
		t.Errorf("got %+v", modules)
	}
}

func TestFmtRewritesV0ToV1(t *testing.T) {
	got := request(t, "", "fmt", FmtRequest{File: "v0.rego", From: "v0", Source: "package v0\n\ndeny[msg] {\n  input.x\n  msg := \"no\"\n}\n"})
	if !got.OK {
		t.Fatalf("%+v", got)
	}
	want := "package v0\n\ndeny contains msg if {\n\tinput.x\n\tmsg := \"no\"\n}\n"
	if formatted := got.Result.(FmtResult).Formatted; formatted != want {
		t.Errorf("got %q, want %q", formatted, want)
	}
	if v1 := request(t, "", "fmt", FmtRequest{File: "v0.rego", Source: "package v0\n\ndeny[msg] {\n  msg := 1\n}\n"}); v1.OK {
		t.Errorf("v0 source read as v1 must fail, got %+v", v1)
	}
}

func TestTestReportsEachOutcome(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"t_test.rego": "package t\n\nx := 1\n\ntest_ok if x == 1\n\ntest_bad if x == 2\n\ntodo_test_later if false\n",
	})
	got := request(t, dir, "test", TestRequest{Paths: []string{"."}})
	if !got.OK {
		t.Fatalf("%+v", got)
	}
	var outcomes []string
	for _, c := range got.Result.(TestResult).Tests {
		outcomes = append(outcomes, c.Name+"="+c.Outcome)
	}
	if strings.Join(outcomes, " ") != "test_ok=pass test_bad=fail todo_test_later=skip" {
		t.Errorf("got %v", outcomes)
	}
}

func TestTraceRunsConftestsQueriesThroughTheInterpreter(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"policy/main.rego": "package main\n\nimport data.lib\n\ndeny contains msg if {\n\tlib.is_service\n\tmsg := \"no services\"\n}\n\nwarn contains \"always\" if true\n",
		"policy/lib.rego":  "package lib\n\nis_service if input.kind == \"Service\"\n",
		// Compiled as conftest compiles it: with its test helpers.
		"policy/main_test.rego": "package main\n\ntest_svc if deny with input as parse_config(\"yaml\", \"kind: Service\")\n",
	})
	got := request(t, dir, "trace", TraceRequest{Paths: []string{"policy"}, Inputs: []TraceInput{
		{Path: "svc.yaml", Document: json.RawMessage(`{"kind":"Service"}`)},
		{Path: "multi.yaml", Document: json.RawMessage(`[{"kind":"Pod"},{"kind":"Pod"}]`)},
	}})
	if !got.OK {
		t.Fatalf("trace failed: %+v", got.Errors)
	}
	files := got.Result.(TraceResult).Files
	if len(files) != 2 || files[0].Path != "svc.yaml" || files[0].Namespace != "main" {
		t.Fatalf("files: %+v", files)
	}
	var queries []string
	for _, q := range files[0].Queries {
		queries = append(queries, fmt.Sprintf("%s %v", q.Query, q.Passed))
	}
	want := []string{`data.main.exception[_][_] == "" true`, "data.main.deny false", `data.main.exception[_][_] == "" true`, "data.main.warn false"}
	if strings.Join(queries, "\n") != strings.Join(want, "\n") {
		t.Errorf("queries:\n%s\nwant:\n%s", strings.Join(queries, "\n"), strings.Join(want, "\n"))
	}
	if trace := strings.Join(files[0].Queries[1].Trace, "\n"); !strings.Contains(trace, "Eval data.lib.is_service") || !strings.HasPrefix(trace, "Enter data.main.deny = _") {
		t.Errorf("the deny query's trace:\n%s", trace)
	}
	// A list is evaluated element by element: every query twice.
	if len(files[1].Queries) != 8 || !files[1].Queries[1].Passed {
		t.Errorf("multi-document input: %+v", files[1].Queries)
	}
}
