package main

import (
	"os"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
)

// runInspect is `opa inspect -a PATH` (internal/bundle/inspect): a directory loads as a bundle,
// a file on its own; answers the flattened annotation set.
func runInspect(req InspectRequest) (any, error) {
	if req.Path == "" {
		return nil, usageError("inspect: no path")
	}
	info, err := os.Stat(req.Path)
	if err != nil {
		return nil, err
	}
	modules := map[string]*ast.Module{}
	base := loader.NewFileLoader().
		WithRegoVersion(ast.DefaultRegoVersion).
		WithSkipBundleVerification(true).
		WithProcessAnnotation(true)
	if info.IsDir() {
		b, err := base.WithBundleLazyLoadingMode(true).AsBundle(req.Path)
		if err != nil {
			return nil, err
		}
		for _, m := range b.Modules {
			modules[m.URL] = m.Parsed
		}
	} else {
		res, err := base.All([]string{req.Path})
		if err != nil {
			return nil, err
		}
		for _, m := range res.Modules {
			modules[m.Name] = m.Parsed
		}
	}

	names := make([]string, 0, len(modules))
	for name := range modules {
		names = append(names, name)
	}
	sort.Strings(names)
	list := make([]*ast.Module, 0, len(names))
	for _, name := range names {
		list = append(list, modules[name])
	}
	set, errs := ast.BuildAnnotationSet(list)
	if len(errs) > 0 {
		return nil, errs
	}
	annotations := []Annotation{}
	for _, ref := range set.Flatten() {
		a := ref.Annotations
		annotations = append(annotations, Annotation{
			Scope:       a.Scope,
			Path:        refSegments(ref.Path),
			Title:       a.Title,
			Description: a.Description,
			Custom:      a.Custom,
			Location:    location(ref.Location),
		})
	}

	// As the CLI does, a module set that does not compile is an error.
	compiler := ast.NewCompiler().WithAllowUndefinedFunctionCalls(true)
	if compiler.Compile(modules); compiler.Failed() {
		return nil, compiler.Errors
	}
	return InspectResult{Annotations: annotations}, nil
}
