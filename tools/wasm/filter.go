package main

import (
	"os"
	"path/filepath"

	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/loader"
)

// ignoreFilter is the CLI's --ignore handling (cmd/filters.go), optionally limited to Rego files
// as `opa check` is.
type ignoreFilter struct {
	ignore   []string
	onlyRego bool
}

func (f ignoreFilter) apply(abspath string, info os.FileInfo, depth int) bool {
	if f.onlyRego && !info.IsDir() && filepath.Ext(info.Name()) != bundle.RegoExt {
		return true
	}
	for _, pattern := range f.ignore {
		if loader.GlobExcludeName(pattern, 1)(abspath, info, depth) {
			return true
		}
	}
	return false
}
