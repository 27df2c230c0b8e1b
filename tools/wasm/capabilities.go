package main

import (
	"bytes"
	"encoding/json"

	"github.com/open-policy-agent/opa/v1/ast"
)

// capabilities reads a capabilities document from the request, or gives this OPA version's own
// (what the CLI uses without --capabilities).
func capabilities(raw json.RawMessage) (*ast.Capabilities, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return ast.CapabilitiesForThisVersion(), nil
	}
	caps, err := ast.LoadCapabilitiesJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, usageError("invalid capabilities: " + err.Error())
	}
	return caps, nil
}
