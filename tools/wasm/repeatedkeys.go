package main

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl"
	hclast "github.com/hashicorp/hcl/hcl/ast"
	"github.com/magiconair/properties"
	"github.com/subosito/gotenv"
	"olympos.io/encoding/edn"
)

// ednRepeatedKeys names the keys an EDN map literal sets twice ({:a 1 :a 2}): the EDN spec makes
// that an error (Clojure's reader refuses it), while the edn package conftest uses keeps the last
// value silently, so a policy would judge one of them. The map's entries are read as the text
// the library tokenises (the entries of `{...}` read as the vector `[...]`), so the count is the
// reader's own, not a guess. "" when none (or when the text is not EDN: conftest refused it).
func ednRepeatedKeys(contents []byte) string {
	var root ednEntries
	if err := edn.Unmarshal(contents, &root); err != nil {
		return ""
	}
	if len(root.repeated) == 0 {
		return ""
	}
	sort.Strings(root.repeated)
	return fmt.Sprintf("%s set more than once in one map: conftest's edn parser keeps only the last value (EDN readers refuse the map), so a policy would judge one of them; set each key once", strings.Join(root.repeated, ", "))
}

// ednEntries is any EDN value; decoding one notes the repeated keys of the maps inside it.
type ednEntries struct {
	repeated []string
}

func (e *ednEntries) UnmarshalEDN(raw []byte) error {
	e.repeated = ednRepeatsIn(raw, "")
	return nil
}

// ednRepeatsIn reads a map or a sequence from its bytes (anything else holds no map) and names,
// as paths from `where`, the keys set twice in it or in what it holds.
func ednRepeatsIn(raw []byte, where string) []string {
	text := bytes.TrimSpace(raw)
	if len(text) < 2 {
		return nil
	}
	var items []edn.RawMessage
	switch {
	case text[0] == '{' && text[len(text)-1] == '}':
		vector := append(append([]byte{'['}, text[1:len(text)-1]...), ']')
		if err := edn.Unmarshal(vector, &items); err != nil {
			return nil
		}
		var repeated []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(items); i += 2 {
			var key any
			if err := edn.Unmarshal(items[i], &key); err != nil {
				return nil
			}
			// conftest's document names each key by its %v text.
			name := fmt.Sprintf("%v", key)
			path := fmt.Sprintf("%s/%s", where, name)
			if seen[name] {
				repeated = append(repeated, fmt.Sprintf("%q", path))
			}
			seen[name] = true
			repeated = append(repeated, ednRepeatsIn(items[i+1], path)...)
		}
		return repeated
	case (text[0] == '[' && text[len(text)-1] == ']') || (text[0] == '(' && text[len(text)-1] == ')'):
		vector := append(append([]byte{'['}, text[1:len(text)-1]...), ']')
		if err := edn.Unmarshal(vector, &items); err != nil {
			return nil
		}
		var repeated []string
		for i, item := range items {
			repeated = append(repeated, ednRepeatsIn(item, fmt.Sprintf("%s/%d", where, i))...)
		}
		return repeated
	}
	return nil
}

// hcl1RepeatedKeys names the attributes an HCL 1 object sets twice (a = 1, then a = 2): HCL 1
// decodes the last one over the first, so a policy would judge one of them. Blocks given twice
// (resource "x" {} twice) are kept, as a list, and are not repeats. Read with the parser conftest
// decodes with. "" when none (or when the text is not HCL 1: conftest refused it).
func hcl1RepeatedKeys(contents []byte) string {
	file, err := hcl.ParseBytes(contents)
	if err != nil {
		return ""
	}
	list, ok := file.Node.(*hclast.ObjectList)
	if !ok {
		return ""
	}
	repeated := hcl1RepeatsIn(list, "")
	if len(repeated) == 0 {
		return ""
	}
	sort.Strings(repeated)
	return fmt.Sprintf("%s set more than once in one object: conftest's hcl1 parser keeps only the last value, so a policy would judge one of them; set each attribute once", strings.Join(repeated, ", "))
}

func hcl1RepeatsIn(list *hclast.ObjectList, where string) []string {
	var repeated []string
	items := map[string]int{}
	attributes := map[string]bool{}
	for _, item := range list.Items {
		if len(item.Keys) == 0 {
			continue
		}
		names := make([]string, len(item.Keys))
		for i, key := range item.Keys {
			names[i] = fmt.Sprint(key.Token.Value())
		}
		// The first key names the member of this object; further keys nest objects in it.
		first := names[0]
		items[first]++
		if _, isObject := item.Val.(*hclast.ObjectType); !isObject && len(names) == 1 {
			attributes[first] = true
		}
		path := where + "/" + strings.Join(names, "/")
		repeated = append(repeated, hcl1RepeatsInValue(item.Val, path)...)
	}
	for name, count := range items {
		if count > 1 && attributes[name] {
			repeated = append(repeated, fmt.Sprintf("%q", where+"/"+name))
		}
	}
	return repeated
}

func hcl1RepeatsInValue(node hclast.Node, where string) []string {
	switch typed := node.(type) {
	case *hclast.ObjectType:
		if typed.List != nil {
			return hcl1RepeatsIn(typed.List, where)
		}
	case *hclast.ListType:
		var repeated []string
		for i, element := range typed.List {
			repeated = append(repeated, hcl1RepeatsInValue(element, fmt.Sprintf("%s/%d", where, i))...)
		}
		return repeated
	}
	return nil
}

// lineKeyedRepeats names the keys of a line-based format (dotenv, Java properties) that a file
// sets twice with different values: both conftest parsers keep the last value silently. Which
// key a line sets is asked of the format's own parser (each physical line parsed alone, escapes
// read as the parser reads them); a key two lines claim is a repeat when the file parsed without
// the last of those lines, or with only the first, still sets it, to another value. A line that
// only looks like a key (in another key's multi-line or continued value) changes that other key
// when removed, not this one. "" when none (or when the file does not parse: conftest refused it).
func lineKeyedRepeats(contents []byte, format string, parse func(text string) (map[string]string, error)) string {
	lines := regexp.MustCompile(`\r\n|\r|\n`).Split(string(contents), -1)
	whole, err := parse(strings.Join(lines, "\n"))
	if err != nil {
		return ""
	}
	claimLines := map[string][]int{}
	for i, line := range lines {
		alone, err := parse(line)
		if err != nil || len(alone) != 1 {
			continue
		}
		for key := range alone {
			claimLines[key] = append(claimLines[key], i)
		}
	}
	// Two versions of the file: without the last claim of each key claimed twice, and with only
	// the first claim of each.
	withoutLast, onlyFirst := map[int]bool{}, map[int]bool{}
	var suspects []string
	for key, at := range claimLines {
		if len(at) < 2 {
			continue
		}
		suspects = append(suspects, key)
		withoutLast[at[len(at)-1]] = true
		for _, i := range at[1:] {
			onlyFirst[i] = true
		}
	}
	if len(suspects) == 0 {
		return ""
	}
	parseWithout := func(drop map[int]bool) (map[string]string, error) {
		kept := make([]string, 0, len(lines))
		for i, line := range lines {
			if !drop[i] {
				kept = append(kept, line)
			}
		}
		return parse(strings.Join(kept, "\n"))
	}
	lastDropped, errLast := parseWithout(withoutLast)
	laterDropped, errLater := parseWithout(onlyFirst)
	var repeated []string
	for _, key := range suspects {
		// Gone: the dropped lines were its only definition (the others only looked like one).
		// Still there with another value: another line set it too. A version that does not parse
		// leaves the lines undecided: refused rather than guessed.
		differs := func(version map[string]string, err error) bool {
			value, had := version[key]
			return err != nil || (had && value != whole[key])
		}
		if differs(lastDropped, errLast) || differs(laterDropped, errLater) {
			repeated = append(repeated, fmt.Sprintf("%q", key))
		}
	}
	if len(repeated) == 0 {
		return ""
	}
	sort.Strings(repeated)
	return fmt.Sprintf("%s set more than once with different values: conftest's %s parser keeps only the last one, so a policy would judge one of them; set each key once", strings.Join(repeated, ", "), format)
}

func dotenvRepeatedKeys(contents []byte) string {
	return lineKeyedRepeats(contents, "dotenv", func(text string) (map[string]string, error) {
		env, err := gotenv.StrictParse(strings.NewReader(text))
		return env, err
	})
}

func propertiesRepeatedKeys(contents []byte) string {
	return lineKeyedRepeats(contents, "properties", func(text string) (map[string]string, error) {
		loaded, err := properties.LoadString(text)
		if err != nil {
			return nil, err
		}
		return loaded.Map(), nil
	})
}
