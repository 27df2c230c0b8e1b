package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/open-policy-agent/conftest/parser"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/types"
)

// conftest's test-helper builtins, for unit tests only (`gatehouse verify`, as `conftest
// verify`): parse_config(parser, text), parse_config_file(path) and
// parse_combined_config_files(paths), paths relative to the calling test file's directory,
// parsed by conftest's parser package. They are declared to the test command's compiler and
// nowhere else: a policy built for evaluation cannot call them.

var configObject = types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewAny()))

func testHelpers() []*tester.Builtin {
	return []*tester.Builtin{
		helper("parse_config", types.Args(types.S, types.S), func(fn *rego.Function) func(*rego.Rego) {
			return rego.Function2(fn, func(_ rego.BuiltinContext, name, text *ast.Term) (*ast.Term, error) {
				parserName, ok1 := name.Value.(ast.String)
				config, ok2 := text.Value.(ast.String)
				if !ok1 || !ok2 {
					return nil, fmt.Errorf("parse_config: the parser name and the configuration must be strings")
				}
				p, err := parser.New(string(parserName))
				if err != nil {
					return nil, fmt.Errorf("create config parser: %w", err)
				}
				return unmarshalTerm(p, []byte(config))
			})
		}),
		helper("parse_config_file", types.Args(types.S), func(fn *rego.Function) func(*rego.Rego) {
			return rego.Function1(fn, func(bctx rego.BuiltinContext, path *ast.Term) (*ast.Term, error) {
				name, ok := path.Value.(ast.String)
				if !ok {
					return nil, fmt.Errorf("parse_config_file: the path must be a string")
				}
				file := besideCaller(bctx, string(name))
				p, err := parser.NewFromPath(file)
				if err != nil {
					return nil, fmt.Errorf("create config parser: %w", err)
				}
				contents, err := readRegularFile(file)
				if err != nil {
					return nil, fmt.Errorf("read config file %s: %w", file, err)
				}
				return unmarshalTerm(p, contents)
			})
		}),
		helper("parse_combined_config_files", types.Args(types.NewArray(nil, types.S)), func(fn *rego.Function) func(*rego.Rego) {
			return rego.Function1(fn, func(bctx rego.BuiltinContext, list *ast.Term) (*ast.Term, error) {
				array, ok := list.Value.(*ast.Array)
				if !ok {
					return nil, fmt.Errorf("parse_combined_config_files: the paths must be an array of strings")
				}
				paths := make([]string, 0, array.Len())
				for i := 0; i < array.Len(); i++ {
					name, ok := array.Elem(i).Value.(ast.String)
					if !ok {
						return nil, fmt.Errorf("parse_combined_config_files: the paths must be an array of strings")
					}
					path := besideCaller(bctx, string(name))
					if err := checkRegularFile(path); err != nil {
						return nil, fmt.Errorf("parse_combined_config_files: %w", err)
					}
					paths = append(paths, path)
				}
				configs, err := parser.ParseConfigurations(paths)
				if err != nil {
					return nil, fmt.Errorf("parse combine configurations: %w", err)
				}
				return valueTerm(parser.CombineConfigurations(configs)["Combined"])
			})
		}),
	}
}

// maxHelperFileBytes caps what one helper reads, as gatehouse caps an input (10 MiB).
const maxHelperFileBytes = 10 * 1024 * 1024

// checkRegularFile refuses what is not a regular file once links are followed: opening a FIFO
// blocks the test run until its deadline, and a device (/dev/zero) never ends.
func checkRegularFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s)", path, info.Mode().Type())
	}
	if info.Size() > maxHelperFileBytes {
		return fmt.Errorf("%s is %d bytes, over the %d-byte limit", path, info.Size(), maxHelperFileBytes)
	}
	return nil
}

// readRegularFile reads a regular file, refusing other kinds and sizes past the cap, even one
// that grew after the check.
func readRegularFile(path string) ([]byte, error) {
	if err := checkRegularFile(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	contents, err := io.ReadAll(io.LimitReader(f, maxHelperFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(contents) > maxHelperFileBytes {
		return nil, fmt.Errorf("%s is over the %d-byte limit", path, maxHelperFileBytes)
	}
	return contents, nil
}

func helper(name string, args []types.Type, bind func(*rego.Function) func(*rego.Rego)) *tester.Builtin {
	decl := types.NewFunction(args, configObject)
	return &tester.Builtin{
		Decl: &ast.Builtin{Name: name, Decl: decl},
		Func: bind(&rego.Function{Name: name, Decl: decl}),
	}
}

// besideCaller resolves a path against the directory of the test file that calls the builtin.
func besideCaller(bctx rego.BuiltinContext, path string) string {
	if bctx.Location == nil {
		return path
	}
	return filepath.Join(filepath.Dir(bctx.Location.File), path)
}

func unmarshalTerm(p parser.Parser, contents []byte) (*ast.Term, error) {
	var config any
	if err := p.Unmarshal(contents, &config); err != nil {
		return nil, fmt.Errorf("unmarshal config: %w", err)
	}
	return valueTerm(config)
}

func valueTerm(config any) (*ast.Term, error) {
	// Through JSON, as conftest's parsers remarshal: the value policies would see as input.
	encoded, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	value, err := ast.ValueFromReader(bytesReader(encoded))
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(value), nil
}
