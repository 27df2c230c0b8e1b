package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ignoreMisreadPatterns names a line of a .gitignore or .dockerignore whose pattern conftest's
// ignore parser (shteou/go-ignore) puts in the document otherwise than git and BuildKit read it:
// it unescapes byte by byte, so each byte of a non-ASCII character becomes a character of its
// own (`café/` is "cafÃ©/"), and it splits lines on "\n" only, so a CRLF file's patterns keep
// the "\r" (and its blank lines are patterns "\r"). A policy comparing patterns would judge
// text no reader sees. Comment lines are read as text and are not checked. "" when none.
func ignoreMisreadPatterns(contents []byte) string {
	for i, line := range strings.Split(string(contents), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\r") {
			return fmt.Sprintf("line %d ends with a carriage return, which conftest's ignore parser keeps in the pattern (%q) where git and BuildKit drop it: write the file with LF line ends", i+1, strings.TrimRight(line, " "))
		}
		for _, r := range line {
			if r >= utf8.RuneSelf {
				return fmt.Sprintf("line %d: conftest's ignore parser reads the pattern %q byte by byte, so its non-ASCII characters reach the policy as other characters: write the pattern in ASCII (a glob such as ? or [...] for the character)", i+1, line)
			}
		}
	}
	return ""
}
