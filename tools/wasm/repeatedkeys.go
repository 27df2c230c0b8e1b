package main

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

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
// (resource "x" {} twice) are kept, as a list, and are not repeats. It also names the member names
// of one object that HCL 1's decoder takes for one: a block with labels (a "x" {}) is decoded with
// every item whose name equals its own ignoring case (ObjectList.Filter, strings.EqualFold), so
// `a "x" {}` beside `A "y" {}` puts each block under both names (and beside `A = 1` or `A {}` the
// file is refused). Read with the parser conftest decodes with. "" when none (or when the text is
// not HCL 1: conftest refused it).
func hcl1RepeatedKeys(contents []byte) string {
	file, err := hcl.ParseBytes(contents)
	if err != nil {
		return ""
	}
	list, ok := file.Node.(*hclast.ObjectList)
	if !ok {
		return ""
	}
	var found hcl1Findings
	found.in(list, "")
	var problems []string
	if len(found.repeated) > 0 {
		sort.Strings(found.repeated)
		problems = append(problems, fmt.Sprintf("%s set more than once in one object: conftest's hcl1 parser keeps only the last value, so a policy would judge one of them; set each attribute once", strings.Join(found.repeated, ", ")))
	}
	if len(found.merged) > 0 {
		sort.Strings(found.merged)
		problems = append(problems, fmt.Sprintf("%s: names of one object that differ only in case, beside a block with labels: conftest's hcl1 parser decodes that block with every item whose name matches ignoring case, so each name would be judged with the other's blocks; spell them alike", strings.Join(found.merged, "; ")))
	}
	return strings.Join(problems, "; ")
}

// hcl1Findings collects, as paths, the attributes set twice in one object and the groups of
// names the decoder merges.
type hcl1Findings struct {
	repeated, merged []string
}

func (f *hcl1Findings) in(list *hclast.ObjectList, where string) {
	items := map[string]int{}
	attributes := map[string]bool{}
	// By case-folded name: the names spelt, and whether one of them is a block with labels.
	spellings := map[string]map[string]bool{}
	labelled := map[string]bool{}
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
		folded := caseFolded(first)
		if spellings[folded] == nil {
			spellings[folded] = map[string]bool{}
		}
		spellings[folded][first] = true
		if len(names) > 1 {
			labelled[folded] = true
		}
		f.inValue(item.Val, where+"/"+strings.Join(names, "/"))
	}
	for name, count := range items {
		if count > 1 && attributes[name] {
			f.repeated = append(f.repeated, fmt.Sprintf("%q", where+"/"+name))
		}
	}
	for folded, spelt := range spellings {
		if len(spelt) < 2 || !labelled[folded] {
			continue
		}
		paths := make([]string, 0, len(spelt))
		for name := range spelt {
			paths = append(paths, fmt.Sprintf("%q", where+"/"+name))
		}
		sort.Strings(paths)
		f.merged = append(f.merged, strings.Join(paths, " and "))
	}
}

// caseFolded spells a name so that two names strings.EqualFold matches are spelt alike: each
// rune as the least rune of its simple case folding orbit (EqualFold compares by those orbits).
func caseFolded(name string) string {
	var folded strings.Builder
	for _, r := range name {
		least := r
		for other := unicode.SimpleFold(r); other != r; other = unicode.SimpleFold(other) {
			least = min(least, other)
		}
		folded.WriteRune(least)
	}
	return folded.String()
}

func (f *hcl1Findings) inValue(node hclast.Node, where string) {
	switch typed := node.(type) {
	case *hclast.ObjectType:
		if typed.List != nil {
			f.in(typed.List, where)
		}
	case *hclast.ListType:
		for i, element := range typed.List {
			f.inValue(element, fmt.Sprintf("%s/%d", where, i))
		}
	}
}

// lineFormat is what the repeat check needs of a line-based format (dotenv, Java properties):
// where its reader ends a physical line, its parser as conftest calls it, and the same parser
// reading a part of the file alone.
type lineFormat struct {
	name    string
	lineEnd *regexp.Regexp
	parse   func(text string) (map[string]string, error)
	// parsePart reads a part of the file alone: without checks that judge the whole file (the
	// properties loader's ${key} check), which a part cut from it could fail.
	parsePart func(text string) (map[string]string, error)
	// contextual says whether a statement's value may depend on the lines before it (dotenv
	// expands $NAME from the keys set so far), so it is read in place, not alone.
	contextual func(statement string) bool
}

// probeBudget bounds the bytes the repeat check parses for one file (a value continued over many
// lines is read again for each line it spans): past it the file is refused, not guessed.
func probeBudget(size int) int { return 16*size + 1<<20 }

// assignment is one statement of a line-based file that sets a key: its key, the value it has when
// read alone, and where it ends.
type assignment struct {
	key, alone, statement string
	end                   int
}

// lineKeyedRepeats names the keys of a line-based format that a file sets twice with different
// values: both conftest parsers keep the last value silently. Which key each statement sets is
// asked of the format's own parser: from the start of a statement, the shortest run of whole
// lines the parser reads alone without error is that statement (a run cut inside a quoted or
// continued value fails: gotenv's "missing quotes", the properties lexer's "premature EOF"), and
// what that run sets alone is what the statement sets. A line that only looks like a key inside
// another key's value is part of that other statement, never one of its own. The lines end where
// the format's reader ends them, and are never rejoined differently (a backslash before CR LF
// continues onto the empty line between CR and LF for the properties lexer, not onto the next).
// The statements found must account for the parsed file (the same keys, the same last values),
// or the file is refused as undecided. "" when nothing is repeated (or when the file does not
// parse: conftest refused it).
func lineKeyedRepeats(contents []byte, format lineFormat) string {
	text := string(contents)
	whole, err := format.parse(text)
	if err != nil {
		return ""
	}
	undecided := func(why string) string {
		return fmt.Sprintf("gatehouse cannot tell which key each line of this %s file sets (%s), so repeated keys cannot be ruled out; refused rather than guessed", format.name, why)
	}
	budget := probeBudget(len(text))
	// spend counts the bytes about to be parsed again, and says whether the budget allows them.
	spend := func(part string) bool {
		budget -= len(part)
		return budget >= 0
	}
	// Each physical line as [start, end of its text, end with its line break).
	type line struct{ start, textEnd, end int }
	var lines []line
	at := 0
	for _, brk := range format.lineEnd.FindAllStringIndex(text, -1) {
		lines = append(lines, line{at, brk[0], brk[1]})
		at = brk[1]
	}
	if at < len(text) {
		lines = append(lines, line{at, len(text), len(text)})
	}
	var assignments []assignment
	for i := 0; i < len(lines); {
		// A part read alone after the first line starts on a line of its own (an empty line
		// first, which both formats skip), so a BOM inside the file is not read as a file's BOM.
		lead := ""
		if i > 0 {
			lead = "\n"
		}
		k := i
		var alone map[string]string
		for ; k < len(lines); k++ {
			part := lead + text[lines[i].start:lines[k].textEnd]
			if !spend(part) {
				return undecided("values continued over too many lines to read each statement alone")
			}
			if values, err := format.parsePart(part); err == nil {
				alone = values
				break
			}
		}
		if k == len(lines) {
			return undecided(fmt.Sprintf("the statement starting on line %d does not parse alone", i+1))
		}
		statement := text[lines[i].start:lines[k].textEnd]
		switch len(alone) {
		case 0:
		case 1:
			for key, value := range alone {
				assignments = append(assignments, assignment{key: key, alone: value, statement: statement, end: lines[k].textEnd})
			}
		default:
			return undecided(fmt.Sprintf("line %d sets %d keys when read alone", i+1, len(alone)))
		}
		i = k + 1
	}
	// The value each statement gives its key in the file: read alone, unless it may depend on
	// what comes before it; then the file up to it is read.
	valueOf := func(a assignment) (string, string) {
		if format.contextual == nil || !format.contextual(a.statement) {
			return a.alone, ""
		}
		if !spend(text[:a.end]) {
			return "", undecided("too many repeated keys whose values expand other keys")
		}
		values, err := format.parse(text[:a.end])
		if err != nil {
			return "", undecided("the file does not parse up to a statement that sets a key")
		}
		return values[a.key], ""
	}
	byKey := map[string][]assignment{}
	for _, a := range assignments {
		byKey[a.key] = append(byKey[a.key], a)
	}
	if len(byKey) != len(whole) {
		return undecided(fmt.Sprintf("its statements set %d keys, the parsed file has %d", len(byKey), len(whole)))
	}
	var repeated []string
	for key, set := range byKey {
		final, had := whole[key]
		if !had {
			return undecided(fmt.Sprintf("a statement sets %q, the parsed file has no such key", key))
		}
		// A key set once is checked against the parsed file when that is cheap (its value does
		// not depend on the lines before it); a repeated one always.
		lastStatement := set[len(set)-1]
		if len(set) == 1 && format.contextual != nil && format.contextual(lastStatement.statement) {
			continue
		}
		last, problem := valueOf(lastStatement)
		if problem != "" {
			return problem
		}
		if last != final {
			return undecided(fmt.Sprintf("the last statement that sets %q gives it another value than the parsed file", key))
		}
		for _, earlier := range set[:len(set)-1] {
			value, problem := valueOf(earlier)
			if problem != "" {
				return problem
			}
			if value != final {
				repeated = append(repeated, fmt.Sprintf("%q", key))
				break
			}
		}
	}
	if len(repeated) == 0 {
		return ""
	}
	sort.Strings(repeated)
	return fmt.Sprintf("%s set more than once with different values: conftest's %s parser keeps only the last one, so a policy would judge one of them; set each key once", strings.Join(repeated, ", "), format.name)
}

// gotenv ends a line at CR LF, CR or LF (its splitLines).
var dotenvLineEnd = regexp.MustCompile(`\r\n|\r|\n`)

// The properties lexer ends a line at each CR and each LF (isEOL): CR LF is two line ends.
var propertiesLineEnd = regexp.MustCompile(`[\r\n]`)

func parseDotenv(text string) (map[string]string, error) {
	return gotenv.StrictParse(strings.NewReader(text))
}

func dotenvRepeatedKeys(contents []byte) string {
	return lineKeyedRepeats(contents, lineFormat{
		name:      "dotenv",
		lineEnd:   dotenvLineEnd,
		parse:     parseDotenv,
		parsePart: parseDotenv,
		// gotenv replaces $NAME and ${NAME} with the value the key has so far (single-quoted
		// values excepted): a statement without "$" means the same anywhere.
		contextual: func(statement string) bool { return strings.Contains(statement, "$") },
	})
}

func propertiesRepeatedKeys(contents []byte) string {
	return lineKeyedRepeats(contents, lineFormat{
		name:    "properties",
		lineEnd: propertiesLineEnd,
		parse: func(text string) (map[string]string, error) {
			loaded, err := properties.LoadString(text)
			if err != nil {
				return nil, err
			}
			return loaded.Map(), nil
		},
		// conftest's document is the values as written (Map, not Get, which expands ${key}).
		parsePart: func(text string) (map[string]string, error) {
			loaded, err := (&properties.Loader{Encoding: properties.UTF8, DisableExpansion: true}).LoadBytes([]byte(text))
			if err != nil {
				return nil, err
			}
			return loaded.Map(), nil
		},
	})
}
