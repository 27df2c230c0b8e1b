package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/conftest/parser"
	"github.com/spf13/viper"
)

// runParseInputs parses a batch of configuration files with one of conftest's parsers (its own
// `parser` package, so the documents are exactly the ones `conftest test` evaluates). The
// contents come in the request, read by the Node side: what is parsed is the bytes it hashed.
// A file that does not parse is an answer for that file, not a failed request.
func runParseInputs(req ParseInputsRequest) (any, error) {
	if req.Parser == "" {
		return nil, usageError("parse-inputs: no parser")
	}
	// conftest's textproto parser reads its message types from --proto-file-dirs through viper.
	viper.Set("proto-file-dirs", req.ProtoFileDirs)
	documents := make([]ParsedInput, 0, len(req.Files))
	for _, file := range req.Files {
		documents = append(documents, parseInput(req.Parser, file))
	}
	return ParseInputsResult{Documents: documents}, nil
}

func parseInput(name string, file InputFile) (out ParsedInput) {
	out = ParsedInput{Path: file.Path}
	// Some parsers panic on input they do not expect (go-vcl on a bare `vcl 4.1;`): that file has
	// no document, and the others of the batch are still answered. (conftest itself crashes.)
	defer func() {
		if r := recover(); r != nil {
			out = ParsedInput{Path: file.Path, Error: fmt.Sprintf("parser unmarshal: the %s parser panicked: %v", name, r)}
		}
	}()
	// A fresh parser per file, as conftest's parseConfigurations makes one per path.
	p, err := parser.New(name)
	if err != nil {
		out.Error = fmt.Sprintf("new parser: %v", err)
		return out
	}
	if aware, ok := p.(parser.PathAwareParser); ok {
		aware.SetPath(file.Path)
	}
	var parsed any
	if err := p.Unmarshal(file.Contents, &parsed); err != nil {
		out.Error = fmt.Sprintf("parser unmarshal: %v", err)
		return out
	}
	// conftest's ini parser skips go-ini's default section (keys before the first [section] or
	// under [DEFAULT]); a key no policy can see is one no policy can deny on, so they are shown
	// to policies under "DEFAULT", read as conftest reads every other section's keys.
	if name == "ini" {
		parsed = withIniDefaultSection(file.Contents, parsed)
	}
	// A key conftest's document leaves out is a key no policy can deny on: refuse the file.
	if hidden := hiddenKeys(name, file.Contents); hidden != "" {
		out.Error = hidden
		return out
	}
	var encoded bytes.Buffer
	enc := json.NewEncoder(&encoded)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(parsed); err != nil {
		out.Error = fmt.Sprintf("encode %s document: %v", name, err)
		return out
	}
	out.Document = json.RawMessage(bytes.TrimRight(encoded.Bytes(), "\n"))
	return out
}

// hiddenKeys says which keys of a file the named parser reads and leaves out of its document.
func hiddenKeys(parser string, contents []byte) string {
	switch parser {
	case "ini":
		return iniHiddenKeys(contents)
	case "jsonc":
		return jsoncRepeatedKeys(contents)
	case "edn":
		if colliding := ednCollidingKeys(contents); colliding != "" {
			return colliding
		}
		return ednRepeatedKeys(contents)
	case "hcl1":
		return hcl1RepeatedKeys(contents)
	case "dotenv":
		return dotenvRepeatedKeys(contents)
	case "properties":
		return propertiesRepeatedKeys(contents)
	case "xml":
		return xmlHiddenText(contents)
	case "dockerfile":
		return dockerfileHiddenContent(contents)
	case "ignore":
		return ignoreMisreadPatterns(contents)
	}
	return ""
}
