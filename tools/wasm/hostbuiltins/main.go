// Command hostbuiltins is a WASI reactor (-buildmode=c-shared) that evaluates the builtins
// gatehouse does not implement in TypeScript with OPA's own topdown, so their results are OPA's
// exactly (crypto.x509.*, json.match_schema, regex.globs_match, rego.parse_module ...).
//
// The policy wasm calls host builtins synchronously, so this module stays instantiated and is
// called through exports rather than one stdin/stdout run per request:
//
//	gh_version() -> ABIVersion (the host refuses another)
//	gh_alloc(n) -> pointer to an n-byte request buffer
//	gh_call(n)  -> evaluates the request in its first n bytes, returns the response's length
//	gh_result() -> pointer to the response
//
// Request:  {"name": "crypto.x509.parse_certificates", "args": ["<Rego term>", ...]}
// (arguments as Rego term text, so sets stay sets and numbers keep their exact text)
// Response: "R" + the result as JSON (numbers in OPA's text), "U" (undefined), or
// "E" + {"code": "...", "message": "..."} (topdown's error, its message prefixed with the name).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"unsafe"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Kept in globals: Go's collector does not move objects, and a reachable slice stays put while
// the host reads or writes it.
var (
	request  []byte
	response []byte
)

type callRequest struct {
	Name string   `json:"name"`
	Args []string `json:"args"`
}

type callError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ABIVersion changes whenever the exports or the request and response shapes do.
const ABIVersion = 1

//go:wasmexport gh_version
func ghVersion() uint32 {
	return ABIVersion
}

//go:wasmexport gh_alloc
func ghAlloc(size uint32) uint32 {
	request = make([]byte, size)
	if size == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&request[0])))
}

//go:wasmexport gh_call
func ghCall(size uint32) uint32 {
	var out bytes.Buffer
	result, defined, callErr := call(request[:size])
	switch {
	case callErr != nil:
		out.WriteByte('E')
		text, _ := json.Marshal(callErr)
		out.Write(text)
	case !defined:
		out.WriteByte('U')
	default:
		out.WriteByte('R')
		encoder := json.NewEncoder(&out)
		// As `opa eval` prints: no HTML escaping (the host reads it as JSON either way).
		encoder.SetEscapeHTML(false)
		if err := encoder.Encode(result); err != nil {
			out.Reset()
			out.WriteByte('E')
			text, _ := json.Marshal(callError{Code: "internal_error", Message: "cannot encode the result: " + err.Error()})
			out.Write(text)
		}
	}
	response = bytes.TrimRight(out.Bytes(), "\n")
	return uint32(len(response))
}

//go:wasmexport gh_result
func ghResult() uint32 {
	if len(response) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&response[0])))
}

func call(raw []byte) (any, bool, *callError) {
	var req callRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, false, &callError{Code: "internal_error", Message: "bad request: " + err.Error()}
	}
	decl, ok := ast.BuiltinMap[req.Name]
	if !ok || topdown.GetBuiltin(req.Name) == nil {
		return nil, false, &callError{Code: "internal_error", Message: "unknown builtin " + req.Name}
	}
	if arity := len(decl.Decl.FuncArgs().Args); len(req.Args) != arity {
		return nil, false, &callError{Code: "internal_error", Message: fmt.Sprintf("%s takes %d arguments, not %d", req.Name, arity, len(req.Args))}
	}
	args := make([]*ast.Term, len(req.Args))
	for i, arg := range req.Args {
		term, err := ast.ParseTerm(arg)
		if err != nil || !ast.IsConstant(term.Value) {
			return nil, false, &callError{Code: "internal_error", Message: fmt.Sprintf("bad argument %d: %v", i+1, err)}
		}
		args[i] = term
	}
	var result *ast.Term
	iter := func(term *ast.Term) error {
		result = term
		return nil
	}
	// The function topdown's evaluator calls (wrapped as registered: errors carry the name and
	// OPA's code), with the context fields these builtins read (checked in OPA 1.22.0's sources:
	// Context, Capabilities, a nil value cache); no compile-time type check, as for operands that
	// are only known at evaluation.
	bctx := topdown.BuiltinContext{Context: context.Background(), Capabilities: capabilities}
	if err := topdown.GetBuiltin(req.Name)(bctx, args, iter); err != nil {
		if topdownErr, ok := err.(*topdown.Error); ok {
			return nil, false, &callError{Code: topdownErr.Code, Message: topdownErr.Message}
		}
		return nil, false, &callError{Code: "eval_builtin_error", Message: err.Error()}
	}
	if result == nil {
		return nil, false, nil
	}
	// JSON has no sets: a result holding one would come back as an array (none of the builtins
	// the host sends here returns one).
	holdsSet := false
	ast.WalkTerms(result, func(term *ast.Term) bool {
		if _, ok := term.Value.(ast.Set); ok {
			holdsSet = true
		}
		return holdsSet
	})
	if holdsSet {
		return nil, false, &callError{Code: "internal_error", Message: req.Name + " returned a set, which the host cannot read as JSON"}
	}
	value, err := ast.JSON(result.Value)
	if err != nil {
		return nil, false, &callError{Code: "internal_error", Message: err.Error()}
	}
	return value, true, nil
}

// The capabilities a query gets when it names none (rego.New's default).
var capabilities = ast.CapabilitiesForThisVersion()

// A reactor's main is never run; the host calls _initialize and then the exports.
func main() {}
