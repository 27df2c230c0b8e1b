package main

import (
	"bytes"
	"errors"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// usageCode marks errors in the request itself (not in the Rego it names).
const usageCode = "gatehouse_request_error"

func usageError(message string) error {
	return &ast.Error{Code: usageCode, Message: message}
}

func bytesReader(data []byte) *bytes.Reader { return bytes.NewReader(data) }

// toolErrors flattens an error into OPA's AST error shape the way `opa check --format json`
// does (internal/presentation.NewOutputErrors): structured errors keep code and location,
// wrappers are unwrapped, anything else becomes a message alone.
func toolErrors(err error) []ToolError {
	if err == nil {
		return nil
	}
	switch typed := err.(type) {
	case *ast.Error:
		return []ToolError{{Code: typed.Code, Message: typed.Message, Location: location(typed.Location)}}
	case *topdown.Error:
		return []ToolError{{Code: typed.Code, Message: typed.Message, Location: location(typed.Location)}}
	case ast.Errors:
		var out []ToolError
		for _, e := range typed {
			if e != nil {
				out = append(out, toolErrors(e)...)
			}
		}
		return out
	case loader.Errors:
		var out []ToolError
		for _, e := range typed {
			if e != nil {
				out = append(out, toolErrors(e)...)
			}
		}
		return out
	}
	if inner := errors.Unwrap(err); inner != nil {
		unwrapped := toolErrors(inner)
		for _, e := range unwrapped {
			if e.Code != "" {
				return unwrapped
			}
		}
	}
	return []ToolError{{Message: err.Error()}}
}

func location(loc *ast.Location) *Location {
	if loc == nil {
		return nil
	}
	return &Location{File: loc.File, Row: loc.Row, Col: loc.Col}
}
