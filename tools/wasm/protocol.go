package main

// The request/response protocol between gatehouse (src/toolchain/protocol.ts, its mirror) and
// this module. One request on stdin, one response on stdout. Bump ProtocolVersion on any change
// to these shapes: the Node side refuses a module whose version differs from its own.

import "encoding/json"

// ProtocolVersion is written into dist/toolchain/manifest.json and checked on every request.
const ProtocolVersion = 1

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
}

// CheckResult is empty: a failed check answers with errors.
type CheckResult struct{}

// ParseRequest names Rego files to parse (each as `opa parse FILE` would).
type ParseRequest struct {
	Paths []string `json:"paths"`
}

// ParsedModule is what gatehouse reads from a module's AST: its package and its rule names.
type ParsedModule struct {
	Path string `json:"path"`
	// Package is the package path without the leading "data", one segment per entry.
	Package []string `json:"package"`
	// Rules are the first segment of every rule head, unique, in source order.
	Rules []string `json:"rules"`
}

// ParseResult answers "parse", one module per requested path, in order.
type ParseResult struct {
	Modules []ParsedModule `json:"modules"`
}

// InspectRequest mirrors `opa inspect -a PATH` (one directory or file).
type InspectRequest struct {
	Path string `json:"path"`
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

// TestRequest mirrors `opa test --ignore I... [--run R] PATHS`.
type TestRequest struct {
	Paths  []string `json:"paths"`
	Ignore []string `json:"ignore,omitempty"`
	Run    string   `json:"run,omitempty"`
}

// TestCase is one test's outcome; durations are left out so results are deterministic.
type TestCase struct {
	Package  string     `json:"package"`
	Name     string     `json:"name"`
	Location *Location  `json:"location,omitempty"`
	Outcome  string     `json:"outcome"` // "pass" | "fail" | "skip" | "error"
	Error    *ToolError `json:"error,omitempty"`
	Output   string     `json:"output,omitempty"`
}

// TestResult answers "test", sorted by file, row, then name.
type TestResult struct {
	Tests []TestCase `json:"tests"`
}
