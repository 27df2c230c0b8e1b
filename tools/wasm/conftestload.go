package main

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// verifyLoad is what conftest verify and conftest test --trace load before they compile: the
// Rego of the policy paths (other files there are not data), a store holding only the data
// paths' JSON and YAML, and capabilities that declare conftest's test helpers (testhelpers.go)
// to this compiler only.
type verifyLoad struct {
	policies *loader.Result
	store    storage.Store
	caps     *ast.Capabilities
	helpers  []*tester.Builtin
}

func loadForVerify(command string, paths, ignore, data []string, regoVersionName string, rawCaps json.RawMessage) (verifyLoad, error) {
	if len(paths) == 0 {
		return verifyLoad{}, usageError(command + ": no paths")
	}
	version, err := regoVersion(regoVersionName)
	if err != nil {
		return verifyLoad{}, err
	}
	caps, err := capabilities(rawCaps)
	if err != nil {
		return verifyLoad{}, err
	}
	policies, err := loader.NewFileLoader().
		WithRegoVersion(version).
		WithProcessAnnotation(true).
		Filtered(paths, ignoreFilter{ignore: ignore, onlyRego: true}.apply)
	if err != nil {
		return verifyLoad{}, err
	}
	store := inmem.New()
	if len(data) > 0 {
		documents, err := loader.NewFileLoader().Filtered(data, onlyDataFiles)
		if err != nil {
			return verifyLoad{}, err
		}
		if store, err = documents.Store(); err != nil {
			return verifyLoad{}, err
		}
	}
	helpers := testHelpers()
	for _, h := range helpers {
		caps.Builtins = append(caps.Builtins, h.Decl)
	}
	return verifyLoad{policies: policies, store: store, caps: caps, helpers: helpers}, nil
}

// onlyDataFiles keeps JSON and YAML files, as conftest's --data does.
func onlyDataFiles(_ string, info os.FileInfo, _ int) bool {
	if info.IsDir() {
		return false
	}
	switch filepath.Ext(info.Name()) {
	case ".json", ".yaml", ".yml":
		return false
	}
	return true
}
