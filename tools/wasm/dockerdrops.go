package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// dockerfileHiddenContent names what conftest's Dockerfile parser reads and leaves out of the
// document: a heredoc's body (`RUN <<EOF` is in Value, the script the build runs is not) and
// the flags of an ONBUILD instruction's own instruction (`ONBUILD COPY --from=IMAGE` keeps
// only the paths). A policy cannot deny what it never sees, so the file is refused. The file
// is parsed as conftest parses it (buildkit's parser); "" when nothing is hidden.
func dockerfileHiddenContent(contents []byte) string {
	result, err := parser.Parse(bytes.NewReader(contents))
	if err != nil {
		return "" // conftest's own error for the file stands
	}
	// A syntax directive hands the file to another frontend image, which reads it as it likes
	// (not necessarily as Dockerfile instructions), and conftest's document leaves it out.
	if syntax, _, location, ok := parser.DetectSyntax(contents); ok && !officialDockerfileFrontend(syntax) {
		line := 1
		if len(location) > 0 {
			line = location[0].Start.Line
		}
		return fmt.Sprintf("line %d: the syntax directive hands this file to the BuildKit frontend %q, which may read it otherwise than the Dockerfile instructions a policy judges (conftest's document leaves the directive out); use docker/dockerfile, or no directive", line, syntax)
	}
	for _, child := range result.AST.Children {
		instruction := strings.ToUpper(child.Value)
		nodes := []*parser.Node{child}
		if child.Next != nil && len(child.Next.Children) > 0 {
			sub := child.Next.Children[0]
			nodes = append(nodes, sub)
			if len(sub.Flags) > 0 {
				return fmt.Sprintf("line %d: the flags of %s %s (%s) are not in conftest's Dockerfile document, so no policy can judge them; write the instruction without ONBUILD, or without the flags",
					child.StartLine, instruction, strings.ToUpper(sub.Value), strings.Join(sub.Flags, " "))
			}
		}
		for _, node := range nodes {
			if len(node.Heredocs) > 0 {
				return fmt.Sprintf("line %d: the body of the heredoc <<%s of %s is not in conftest's Dockerfile document (only the line naming it is), so no policy can judge what it runs or writes; write it inline or in a file the build copies",
					child.StartLine, node.Heredocs[0].Name, instruction)
			}
		}
	}
	return ""
}

// officialDockerfileFrontend says whether a syntax directive names Docker's own Dockerfile
// frontend (docker/dockerfile or docker/dockerfile-upstream, any tag or digest), which reads
// the instructions buildkit's parser reads.
func officialDockerfileFrontend(ref string) bool {
	name := strings.TrimPrefix(ref, "docker.io/")
	if at := strings.IndexAny(name, ":@"); at >= 0 {
		name = name[:at]
	}
	return name == "docker/dockerfile" || name == "docker/dockerfile-upstream"
}
