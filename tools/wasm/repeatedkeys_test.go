package main

import "testing"

// Which key each statement of a dotenv or properties file sets is the parser's answer: lines
// that only look like keys inside another value, values continued or quoted over several lines,
// CR LF after a continuation backslash, a BOM inside the file.
func TestLineKeyedRepeats(t *testing.T) {
	for _, c := range []struct{ f, want, src string }{
		{"env", "R", "DEBUG=false\nDEBUG=\"true\n\"\n"},
		{"env", "R", "DEBUG=\"false\n\"\nDEBUG=true\n"},
		{"env", "R", "DEBUG='false\n'\nDEBUG=true\n"},
		{"env", "A", "DEBUG=false\nNOTE=\"x\nDEBUG=true\"\n"},
		{"env", "R", "NOTE=\"x\nDEBUG=one\n\"\nDEBUG=false\nDEBUG=true\nOTHER=\"y\nDEBUG=two\n\"\nEND=1\n"},
		{"env", "R", "DEBUG=false\nexport DEBUG=true\n"},
		{"env", "R", "DEBUG=false\nDEBUG=true\nDEBUG=true\n"},
		{"env", "A", "DEBUG=false\nNOTE=\"two\nDEBUG=true\nlines\"\nSAME=1\nSAME=1\n"},
		{"env", "A", "A=1\nB=$A\nA=1\nB=$A\n"},
		{"env", "R", "B=$A\nA=2\nB=$A\n"},
		{"env", "R", "A=x\r\nA=y\r\n"},
		{"env", "R", "A=x\rA=y"},
		{"env", "R", "export DEBUG=false\nDEBUG: true\n"},
		{"env", "A", "DEBUG=false # c\nDEBUG=false\n"},
		{"env", "R", "\ufeffDEBUG=false\nDEBUG=true\n"},
		{"env", "A", "PATH=$PWD\nX=1\n"},
		{"prop", "R", "debug=false\\\r\ndebug=true\r\n"},
		{"prop", "R", "note=x\\\n  debug=one\ndebug=false\ndebug=true\nother=y\\\n  debug=two\nend=1\n"},
		{"prop", "R", "debug=false\ndebu\\u0067 = true\n"},
		{"prop", "A", "note=one \\\n  debug=true\ndebug=false\n"},
		{"prop", "A", "debug=false\n# debug=true\n"},
		{"prop", "R", "debug=false\n! x \\\ndebug=true\n"},
		{"prop", "A", "deb\\\nug=true\ndebug=false"},
		{"prop", "R", "debug false\ndebug:true"},
		{"prop", "A", "a=${b}\nb=1\na=${b}\n"},
		{"prop", "A", "debug=false\n\ufeffdebug=true\n"},
		{"prop", "A", "x=1\\\n\\\n\\\ny=2\nz=3"},
		{"prop", "R", "x=1\\\n\\\n\\\ny=2\nx=3"},
		{"prop", "R", "\ufeffdebug=false\ndebug=true\n"},
		{"prop", "A", "debug=true\r\ndebug=true\r\n"},
	} {
		var got string
		if c.f == "env" {
			got = dotenvRepeatedKeys([]byte(c.src))
		} else {
			got = propertiesRepeatedKeys([]byte(c.src))
		}
		verdict := "A"
		if got != "" {
			verdict = "R"
		}
		if verdict != c.want {
			t.Errorf("%s %q: want %s, got %q", c.f, c.src, c.want, got)
		}
	}
}

func TestHCL1CaseMergedNames(t *testing.T) {
	for src, want := range map[string]bool{
		"a \"x\" { c = 1 }\nA \"y\" { c = 2 }\n":                    true,
		"\u212a \"x\" { c = 1 }\nk \"y\" { c = 2 }\n":               true,
		"s = [{ a \"x\" { c = 1 }, A \"y\" { c = 2 } }]\n":          true,
		`{"a": {"x": {"c": 1}}, "A": {"y": {"c": 2}}}`:              true,
		"a { x = 1 }\nA { x = 2 }\n":                                false,
		"a \"x\" { c = 1 }\na \"X\" { c = 2 }\n":                    false,
		"resource \"x\" \"a\" { v = 1 }\nresource \"x\" \"b\" {}\n": false,
	} {
		if got := hcl1RepeatedKeys([]byte(src)); (got != "") != want {
			t.Errorf("%q: want refused=%v, got %q", src, want, got)
		}
	}
}
