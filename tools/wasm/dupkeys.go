package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/muhammadmuzzammil1998/jsonc"
	"olympos.io/encoding/edn"
)

// jsoncRepeatedKeys names the keys an object of a JSONC file sets twice: conftest's jsonc parser
// (encoding/json once comments are gone) keeps the last value silently, as gatehouse's own JSON
// reader refuses to. The comments are removed with the library conftest uses, so the text scanned
// is the text it decodes. "" when none (or when the text is not JSON: conftest refused it).
func jsoncRepeatedKeys(contents []byte) string {
	decoder := json.NewDecoder(bytes.NewReader(jsonc.ToJSON(contents)))
	decoder.UseNumber()
	var repeated []string
	if err := scanJSONValue(decoder, "", &repeated); err != nil {
		return ""
	}
	if len(repeated) == 0 {
		return ""
	}
	return fmt.Sprintf("%s set more than once in one object: conftest's jsonc parser keeps only the last value, so a policy would judge one of them; set each key once", strings.Join(repeated, ", "))
}

// scanJSONValue reads one value from the decoder, noting each key repeated within an object.
func scanJSONValue(decoder *json.Decoder, where string, repeated *[]string) error {
	token, err := decoder.Token()
	if err != nil {
		return err
	}
	delim, ok := token.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for decoder.More() {
			key, err := decoder.Token()
			if err != nil {
				return err
			}
			name, _ := key.(string)
			path := fmt.Sprintf("%s/%s", where, name)
			if seen[name] {
				*repeated = append(*repeated, fmt.Sprintf("%q", path))
			}
			seen[name] = true
			if err := scanJSONValue(decoder, path, repeated); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; decoder.More(); i++ {
			if err := scanJSONValue(decoder, fmt.Sprintf("%s/%d", where, i), repeated); err != nil {
				return err
			}
		}
	default:
		return errors.New("unexpected delimiter")
	}
	if _, err := decoder.Token(); err != nil && err != io.EOF {
		return err
	}
	return nil
}

// ednCollidingKeys names the keys of an EDN map that conftest's edn parser turns into the same
// string (it prints every key with %v: the keyword :a and the string ":a", the integer 1 and the
// string "1"). Only one value survives, and which one depends on Go's map order: the verdict
// would change from run to run. "" when none (or when conftest refused the file).
func ednCollidingKeys(contents []byte) string {
	var value any
	if err := edn.Unmarshal(contents, &value); err != nil {
		return ""
	}
	var colliding []string
	walkEDN(value, "", &colliding)
	if len(colliding) == 0 {
		return ""
	}
	sort.Strings(colliding)
	return fmt.Sprintf("%s: distinct EDN keys that conftest's edn parser prints as one string, so only one of their values (which one changes from run to run) would reach a policy; use keys that differ as text", strings.Join(colliding, ", "))
}

func walkEDN(value any, where string, colliding *[]string) {
	switch typed := value.(type) {
	case map[any]any:
		byText := map[string]int{}
		for key := range typed {
			byText[fmt.Sprintf("%v", key)]++
		}
		for text, count := range byText {
			if count > 1 {
				*colliding = append(*colliding, fmt.Sprintf("%d keys read as %q at %s", count, text, orRoot(where)))
			}
		}
		for key, child := range typed {
			walkEDN(child, fmt.Sprintf("%s/%v", where, key), colliding)
		}
	case []any:
		for i, child := range typed {
			walkEDN(child, fmt.Sprintf("%s/%d", where, i), colliding)
		}
	}
}

func orRoot(where string) string {
	if where == "" {
		return "the top"
	}
	return where
}
