package main

import (
	"os"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// runParse parses each file as `opa parse` does (rego v1, annotations processed) and answers
// the package and rule names gatehouse reads from the AST.
func runParse(req ParseRequest) (any, error) {
	version, err := regoVersion(req.RegoVersion)
	if err != nil {
		return nil, err
	}
	modules := make([]ParsedModule, 0, len(req.Paths))
	for _, path := range req.Paths {
		source, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		module, err := ast.ParseModuleWithOpts(path, string(source), ast.ParserOptions{
			RegoVersion:       version,
			ProcessAnnotation: true,
		})
		if err != nil {
			return nil, err
		}
		modules = append(modules, summarise(path, module))
	}
	return ParseResult{Modules: modules}, nil
}

func summarise(path string, module *ast.Module) ParsedModule {
	index := map[string]int{}
	rules := []string{}
	definitions := []int{}
	for _, rule := range module.Rules {
		name := ruleHeadName(rule.Head)
		if name == "" {
			continue
		}
		if i, seen := index[name]; seen {
			definitions[i]++
			continue
		}
		index[name] = len(rules)
		rules = append(rules, name)
		definitions = append(definitions, 1)
	}
	return ParsedModule{Path: path, Package: refSegments(module.Package.Path), Rules: rules, Definitions: definitions, Documents: ruleDocuments(module)}
}

// ruleDocuments lists the data paths the module's rules define, each once, in source order:
// the path of the rule tree node a rule sits at, as far as it is made of strings (a node under a
// number or a variable cannot conflict with data: ast.checkDocumentConflicts).
func ruleDocuments(module *ast.Module) []RuleDocument {
	out := []RuleDocument{}
	seen := map[string]bool{}
	pkg := refSegments(module.Package.Path)
	for _, rule := range module.Rules {
		path := append([]string{}, pkg...)
		for i, term := range rule.Head.Ref().GroundPrefix() {
			if i == 0 {
				if v, ok := term.Value.(ast.Var); ok {
					path = append(path, string(v))
					continue
				}
			}
			s, ok := term.Value.(ast.String)
			if !ok {
				break
			}
			path = append(path, string(s))
		}
		key := strings.Join(path, "\x00")
		if seen[key] {
			continue
		}
		seen[key] = true
		row := 0
		if rule.Location != nil {
			row = rule.Location.Row
		}
		out = append(out, RuleDocument{Path: path, Row: row})
	}
	return out
}

// ruleHeadName is the first segment of the head's reference (`deny contains msg if` -> deny).
func ruleHeadName(head *ast.Head) string {
	if len(head.Reference) > 0 {
		if v, ok := head.Reference[0].Value.(ast.Var); ok {
			return string(v)
		}
	}
	return string(head.Name)
}

// refSegments gives a data reference's segments after "data" as strings.
func refSegments(ref ast.Ref) []string {
	out := []string{}
	for i, term := range ref {
		if i == 0 {
			continue
		}
		switch v := term.Value.(type) {
		case ast.String:
			out = append(out, string(v))
		default:
			out = append(out, v.String())
		}
	}
	return out
}
