package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-ini/ini"
)

// iniHiddenKeys names the keys of an INI file that conftest's ini parser reads and then drops, so
// a policy never sees them: keys before the first [section] or under [DEFAULT] (go-ini's default
// section, which conftest skips), and a key given twice in a section (go-ini keeps the last
// value; Python's configparser refuses the file, systemd keeps every value). Both are read with
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
	if keys := lastWins.Section(ini.DefaultSection).KeyStrings(); len(keys) > 0 {
		problems = append(problems, fmt.Sprintf("%s outside any named section (before the first [section] header or under [%s]): conftest's ini parser drops such keys, so no policy would see them; move them into a named section", quotedList(keys), ini.DefaultSection))
	}
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

func quotedList(keys []string) string {
	quoted := make([]string, len(keys))
	for i, key := range keys {
		quoted[i] = fmt.Sprintf("%q", key)
	}
	if len(keys) == 1 {
		return "key " + quoted[0] + " is"
	}
	return "keys " + strings.Join(quoted, ", ") + " are"
}
