package main

// The request/response protocol between gatehouse (src/toolchain/protocol.ts, its mirror) and
// this module. One request on stdin, one response on stdout. Bump ProtocolVersion on any change
// to these shapes: the Node side refuses a module whose version differs from its own.

import "encoding/json"

// ProtocolVersion is written into dist/toolchain/manifest.json and checked on every request.
const ProtocolVersion = 3

// Request is the envelope: Args holds the command's own request type.
type Request struct {
	Protocol int             `json:"protocol"`
	Command  string          `json:"command"`
	Args     json.RawMessage `json:"args,omitempty"`
}

// Response is the envelope of every answer. OK is false exactly when Errors is not empty.
type Response struct {
	Protocol int         `json:"protocol"`
	OK       bool        `json:"ok"`
	Result   any         `json:"result,omitempty"`
	Errors   []ToolError `json:"errors,omitempty"`
}

// ToolError has OPA's AST error shape (as `opa check --format json` prints it, details left out).
type ToolError struct {
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Location *Location `json:"location,omitempty"`
}

// Location is a file position; File is the path as the request gave it.
type Location struct {
	File string `json:"file"`
	Row  int    `json:"row"`
	Col  int    `json:"col"`
}

// RegoVersion, where a request has it, is "v1" (the default, as OPA 1.x) or "v0" (conftest's
// --rego-version v0: the module is read with Rego v0's syntax and meaning; a module that says
// `import rego.v1` is read as v1 either way, as OPA's parser does).

// Paths in every request are relative to the working directory (PWD), exactly as they would be
// passed to the opa CLI: OPA compiles file names into the wasm, so the same strings give the
// same bytes.

// VersionResult answers "version".
type VersionResult struct {
	OPAVersion string `json:"opaVersion"`
	GoVersion  string `json:"goVersion"`
}

// BuildRequest mirrors `opa build -t wasm -e E... --ignore I... PATHS` (optionally --capabilities).
type BuildRequest struct {
	Paths        []string        `json:"paths"`
	Entrypoints  []string        `json:"entrypoints"`
	Ignore       []string        `json:"ignore,omitempty"`
	Capabilities json.RawMessage `json:"capabilities,omitempty"`
	RegoVersion  string          `json:"regoVersion,omitempty"`
}

// BuildResult holds the bundle (.tar.gz) bytes; JSON encodes them as base64.
type BuildResult struct {
	Bundle []byte `json:"bundle"`
}

// CheckRequest mirrors `opa check [--strict] --ignore I... PATHS`.
type CheckRequest struct {
	Paths        []string        `json:"paths"`
	Ignore       []string        `json:"ignore,omitempty"`
	Strict       bool            `json:"strict"`
	Capabilities json.RawMessage `json:"capabilities,omitempty"`
	RegoVersion  string          `json:"regoVersion,omitempty"`
}

// CheckResult is empty: a failed check answers with errors.
type CheckResult struct{}

// ParseRequest names Rego files to parse (each as `opa parse FILE` would).
type ParseRequest struct {
	Paths       []string `json:"paths"`
	RegoVersion string   `json:"regoVersion,omitempty"`
}

// ParsedModule is what gatehouse reads from a module's AST: its package and its rule names.
type ParsedModule struct {
	Path string `json:"path"`
	// Package is the package path without the leading "data", one segment per entry.
	Package []string `json:"package"`
	// Rules are the first segment of every rule head, unique, in source order.
	Rules []string `json:"rules"`
	// Definitions counts the rules (bodies, `else` chains as one) of each name in Rules, in the
	// same order: conftest counts a name defined three times as three rules.
	Definitions []int `json:"definitions"`
	// Documents are the data paths the rules define (package path and the head's ground
	// prefix up to its first non-string term), with the row of the first rule defining each: the
	// paths OPA's compiler checks base data documents against (ast.CheckPathConflicts).
	Documents []RuleDocument `json:"documents"`
}

// RuleDocument is one data path a module's rules define.
type RuleDocument struct {
	Path []string `json:"path"`
	Row  int      `json:"row"`
}

// ParseResult answers "parse", one module per requested path, in order.
type ParseResult struct {
	Modules []ParsedModule `json:"modules"`
}

// InspectRequest mirrors `opa inspect -a PATH` (one directory or file).
type InspectRequest struct {
	Path        string `json:"path"`
	RegoVersion string `json:"regoVersion,omitempty"`
}

// Annotation is one entry of the flattened annotation set.
type Annotation struct {
	Scope string `json:"scope"`
	// Path is the annotated package or rule path without the leading "data".
	Path        []string       `json:"path"`
	Title       string         `json:"title,omitempty"`
	Description string         `json:"description,omitempty"`
	Custom      map[string]any `json:"custom,omitempty"`
	Location    *Location      `json:"location,omitempty"`
}

// InspectResult answers "inspect".
type InspectResult struct {
	Annotations []Annotation `json:"annotations"`
}

// FmtRequest formats one module's source (format.SourceWithOpts). From "v0" parses the source
// as Rego v0 and writes v1 syntax: the v0 -> v1 rewrite.
type FmtRequest struct {
	File   string `json:"file"`
	Source string `json:"source"`
	From   string `json:"from,omitempty"`
}

// FmtResult answers "fmt".
type FmtResult struct {
	Formatted string `json:"formatted"`
}

// TestRequest mirrors `opa test --ignore I... [--run R] PATHS` (conftest verify's loading, test.go).
type TestRequest struct {
	Paths        []string        `json:"paths"`
	Ignore       []string        `json:"ignore,omitempty"`
	Run          string          `json:"run,omitempty"`
	RegoVersion  string          `json:"regoVersion,omitempty"`
	Strict       bool            `json:"strict,omitempty"`
	Capabilities json.RawMessage `json:"capabilities,omitempty"`
	// Data are conftest verify's --data paths: JSON and YAML documents under data.
	Data []string `json:"data,omitempty"`
	// Coverage asks which deny rules some test makes produce a value (TestResult.DenyRules).
	Coverage bool `json:"coverage,omitempty"`
	// Trace records OPA's interpreter trace of every test (TestCase.Trace), as conftest verify --trace.
	Trace bool `json:"trace,omitempty"`
}

// TestCase is one test's outcome; durations are left out so results are deterministic.
type TestCase struct {
	Package  string     `json:"package"`
	Name     string     `json:"name"`
	Location *Location  `json:"location,omitempty"`
	Outcome  string     `json:"outcome"` // "pass" | "fail" | "skip" | "error"
	Error    *ToolError `json:"error,omitempty"`
	Output   string     `json:"output,omitempty"`
	// Trace, when asked for, is topdown.PrettyTrace of the test's evaluation, one entry per line.
	Trace []string `json:"trace,omitempty"`
}

// TestResult answers "test", sorted by file, row, then name.
type TestResult struct {
	Tests []TestCase `json:"tests"`
	// DenyRules, with coverage asked for: every deny/violation rule of the non-test files.
	DenyRules []DenyRule `json:"denyRules,omitempty"`
}

// DenyRule is one deny or violation rule and whether a test made it produce a value.
type DenyRule struct {
	Package  string    `json:"package"`
	Rule     string    `json:"rule"`
	Location *Location `json:"location"`
	Covered  bool      `json:"covered"`
}

// ParseInputsRequest parses configuration files with one of conftest's parsers (by its name, as
// `conftest test --parser NAME`). Paths are relative to the working directory; the parsers
// that read other files (jsonnet imports, textproto's .proto files) read them from there.
type ParseInputsRequest struct {
	Parser        string      `json:"parser"`
	Files         []InputFile `json:"files"`
	ProtoFileDirs []string    `json:"protoFileDirs,omitempty"`
}

// InputFile is one file to parse: its path and its bytes (base64 in JSON).
type InputFile struct {
	Path     string `json:"path"`
	Contents []byte `json:"contents"`
}

// ParsedInput is one file's document (what conftest evaluates as input), or why it has none.
type ParsedInput struct {
	Path     string          `json:"path"`
	Document json.RawMessage `json:"document,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// ParseInputsResult answers "parse-inputs", one entry per requested file, in order.
type ParseInputsResult struct {
	Documents []ParsedInput `json:"documents"`
}

// TraceRequest evaluates, with OPA's interpreter (topdown) and a trace, the queries conftest test
// runs for each input and namespace (its policy/engine.go): per deny/violation/warn rule name,
// the exception query `data.NS.exception[_][_] == "NAME"`, then `data.NS.RULE`. Policies load as
// conftest loads them (the Rego of Paths; Ignore as `opa check --ignore`), data from Data (JSON
// and YAML). Namespaces are conftest's --namespace patterns (literal, or path.Match globs when
// one has a glob character); AllNamespaces takes every package.
type TraceRequest struct {
	Paths         []string        `json:"paths"`
	Ignore        []string        `json:"ignore,omitempty"`
	Data          []string        `json:"data,omitempty"`
	RegoVersion   string          `json:"regoVersion,omitempty"`
	Strict        bool            `json:"strict,omitempty"`
	Capabilities  json.RawMessage `json:"capabilities,omitempty"`
	Namespaces    []string        `json:"namespaces,omitempty"`
	AllNamespaces bool            `json:"allNamespaces,omitempty"`
	Inputs        []TraceInput    `json:"inputs"`
}

// TraceInput is one input file's document, as gatehouse parsed it. A document that is a list is
// evaluated element by element (conftest's multi-document files) unless Whole is set.
type TraceInput struct {
	Path     string          `json:"path"`
	Document json.RawMessage `json:"document"`
	Whole    bool            `json:"whole,omitempty"`
}

// TraceResult answers "trace": per input (in request order) and namespace (sorted), the queries
// in conftest's order.
type TraceResult struct {
	Files []TracedFile `json:"files"`
}

// TracedFile is one input judged in one namespace.
type TracedFile struct {
	Path      string        `json:"path"`
	Namespace string        `json:"namespace"`
	Queries   []TracedQuery `json:"queries"`
}

// TracedQuery is one query: whether it passed as conftest judges it (no message), and the trace
// (topdown.PrettyTrace, one entry per non-empty line).
type TracedQuery struct {
	Query  string   `json:"query"`
	Passed bool     `json:"passed"`
	Trace  []string `json:"trace"`
}
