package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-ini/ini"
)

// withIniDefaultSection adds go-ini's default section to conftest's document of an INI file as
// the section "DEFAULT": conftest's parser drops it, so without it a policy would judge the file
// without those keys. Values are typed as conftest types every other section's (a finite number,
// then a Go boolean, else the text). A file go-ini cannot read is left to conftest's own error.
func withIniDefaultSection(contents []byte, parsed any) any {
	document, ok := parsed.(map[string]any)
	if !ok {
		return parsed
	}
	file, err := ini.Load(contents)
	if err != nil {
		return parsed
	}
	keys := file.Section(ini.DefaultSection).KeysHash()
	if len(keys) == 0 {
		return parsed
	}
	section := make(map[string]any, len(keys))
	for key, text := range keys {
		section[key] = iniValue(text)
	}
	document[ini.DefaultSection] = section
	return document
}

// iniValue types a value as conftest's ini parser does.
func iniValue(text string) any {
	if number, err := strconv.ParseFloat(text, 64); err == nil && !math.IsNaN(number) && !math.IsInf(number, 0) {
		return number
	}
	if flag, err := strconv.ParseBool(text); err == nil {
		return flag
	}
	return text
}

// iniHiddenKeys names the keys of an INI file that conftest's ini parser reads and then
// overwrites, so a policy never sees them: a key given twice in a section (go-ini keeps the last
// value; Python's configparser refuses the file, systemd keeps every value). It is read with
// go-ini itself, as conftest reads the file, so the lines are tokenised exactly as it does.
// It returns "" when nothing is hidden or when go-ini cannot read the file (conftest's own
// error then refuses it).
func iniHiddenKeys(contents []byte) string {
	lastWins, err := ini.Load(contents)
	if err != nil {
		return ""
	}
	// With shadows kept, a key's Value() is its first value and ValueWithShadows() every
	// distinct non-empty one.
	everyValue, err := ini.LoadSources(ini.LoadOptions{AllowShadows: true}, contents)
	if err != nil {
		return ""
	}
	var problems []string
	var repeated []string
	for _, section := range everyValue.Sections() {
		for _, key := range section.Keys() {
			last := lastWins.Section(section.Name()).Key(key.Name()).Value()
			if len(key.ValueWithShadows()) > 1 || key.Value() != last {
				repeated = append(repeated, fmt.Sprintf("%q in [%s]", key.Name(), section.Name()))
			}
		}
	}
	if len(repeated) > 0 {
		sort.Strings(repeated)
		problems = append(problems, fmt.Sprintf("%s set more than once with different values: conftest's ini parser keeps only the last one, other INI readers the first or all of them; set each key once", strings.Join(repeated, ", ")))
	}
	return strings.Join(problems, "; ")
}
