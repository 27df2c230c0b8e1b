package main

import (
	"encoding/json"
	"runtime"

	"github.com/open-policy-agent/opa/v1/version"
)

func runVersion(json.RawMessage) (any, error) {
	return VersionResult{OPAVersion: version.Version, GoVersion: runtime.Version()}, nil
}
