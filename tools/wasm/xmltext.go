package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/net/html/charset"
)

// xmlHiddenText names what conftest's xml parser (basgys/goxml2json) leaves out of the document
// of a file. It reads tokens until the first error and stops there without saying so, so
// everything after a malformed part (an entity the file defines in its DTD, say) is dropped; and
// an element's text is the last run of character data in it, so text before a comment, a CDATA
// section or a child element (`tr<!-- -->ue` reads as "ue", `true<b/>` as "") is dropped. The
// file is tokenised as goxml2json tokenises it (encoding/xml, the same charset reader). ""
// when nothing is hidden.
func xmlHiddenText(contents []byte) string {
	decoder := xml.NewDecoder(bytes.NewReader(contents))
	decoder.CharsetReader = charset.NewReaderLabel
	type open struct {
		path     string
		textSeen bool // a run of character data with visible text came before
	}
	stack := []open{{path: "the top level"}}
	var split []string
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Sprintf("%v: conftest's xml parser stops reading here without an error and judges only what came before; fix the XML", err)
		}
		top := &stack[len(stack)-1]
		switch t := token.(type) {
		case xml.StartElement:
			stack = append(stack, open{path: top.path + "/" + t.Name.Local})
			if top.path == "the top level" {
				stack[len(stack)-1].path = t.Name.Local
			}
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			// goxml2json overwrites the element's text with each run: an earlier visible run is lost.
			if top.textSeen {
				split = append(split, top.path)
			}
			if hasVisibleText(string(t)) {
				top.textSeen = true
			}
		}
	}
	if len(split) == 0 {
		return ""
	}
	return fmt.Sprintf("the text of %s is split by a comment, a CDATA section or a child element: conftest's xml parser keeps only the last part, so a policy would judge other text than the file holds; write each element's text in one piece", strings.Join(unique(split), ", "))
}

func hasVisibleText(text string) bool {
	for _, r := range text {
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

func unique(items []string) []string {
	seen := map[string]bool{}
	out := items[:0]
	for _, item := range items {
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out
}
