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
	"strings"
	"unsafe"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Kept in globals: Go's collector does not move objects, and a reachable slice stays put while
// the host reads or writes it.
var (
	request  []byte
	response []byte
	prepared = map[string]rego.PreparedEvalQuery{}
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
	// Only builtins OPA declares: the name goes into a query.
	if _, ok := ast.BuiltinMap[req.Name]; !ok || topdown.GetBuiltin(req.Name) == nil {
		return nil, false, &callError{Code: "internal_error", Message: "unknown builtin " + req.Name}
	}
	args := make([]*ast.Term, len(req.Args))
	for i, arg := range req.Args {
		term, err := ast.ParseTerm(arg)
		if err != nil || !ast.IsConstant(term.Value) {
			return nil, false, &callError{Code: "internal_error", Message: fmt.Sprintf("bad argument %d: %v", i+1, err)}
		}
		args[i] = term
	}
	query, err := preparedQuery(req.Name, len(args))
	if err != nil {
		return nil, false, &callError{Code: "internal_error", Message: err.Error()}
	}
	results, err := query.Eval(context.Background(), rego.EvalParsedInput(ast.NewArray(args...)))
	if err != nil {
		if topdownErr, ok := err.(*topdown.Error); ok {
			return nil, false, &callError{Code: topdownErr.Code, Message: topdownErr.Message}
		}
		return nil, false, &callError{Code: "eval_builtin_error", Message: err.Error()}
	}
	if len(results) == 0 {
		return nil, false, nil
	}
	return results[0].Bindings["result"], true, nil
}

// One prepared query per builtin and arity, compiled on first use.
func preparedQuery(name string, arity int) (rego.PreparedEvalQuery, error) {
	key := fmt.Sprintf("%s/%d", name, arity)
	if query, ok := prepared[key]; ok {
		return query, nil
	}
	operands := make([]string, arity)
	for i := range operands {
		operands[i] = fmt.Sprintf("input[%d]", i)
	}
	query, err := rego.New(
		rego.Query(fmt.Sprintf("result := %s(%s)", name, strings.Join(operands, ", "))),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(context.Background())
	if err != nil {
		return query, err
	}
	prepared[key] = query
	return query, nil
}

// A reactor's main is never run; the host calls _initialize and then the exports.
func main() {}
