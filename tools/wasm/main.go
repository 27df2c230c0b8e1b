// Command gatehouse-go is OPA's Go API behind a JSON protocol (protocol.go), built for
// GOOS=wasip1 GOARCH=wasm so gatehouse can compile, check, format and test Rego with Node alone.
// It reads one Request on stdin and writes one Response on stdout; errors are data, never stderr
// prose. The exit status is non-zero only when no response could be written.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type command func(args json.RawMessage) (any, error)

var commands = map[string]command{
	"version":      runVersion,
	"build":        decoded(runBuild),
	"check":        decoded(runCheck),
	"parse":        decoded(runParse),
	"parse-inputs": decoded(runParseInputs),
	"inspect":      decoded(runInspect),
	"fmt":          decoded(runFmt),
	"test":         decoded(runTest),
	"trace":        decoded(runTrace),
}

// decoded turns a typed command into one that takes the raw args, refusing unknown fields so a
// Node side that sends more than this module understands hears about it.
func decoded[T any](run func(T) (any, error)) command {
	return func(args json.RawMessage) (any, error) {
		var req T
		if err := strictDecode(args, &req); err != nil {
			return nil, usageError("invalid arguments: " + err.Error())
		}
		return run(req)
	}
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(handle(input)); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gatehouse-go:", err)
	os.Exit(2)
}

// handle answers one encoded request; it is the whole program apart from stdin and stdout.
func handle(input []byte) Response {
	var req Request
	if err := strictDecode(input, &req); err != nil {
		return errorResponse(usageError("invalid request: " + err.Error()))
	}
	if req.Protocol != ProtocolVersion {
		return errorResponse(usageError(fmt.Sprintf("protocol version %d requested, this module speaks %d", req.Protocol, ProtocolVersion)))
	}
	run, ok := commands[req.Command]
	if !ok {
		return errorResponse(usageError(fmt.Sprintf("unknown command %q", req.Command)))
	}
	result, err := run(req.Args)
	if err != nil {
		return errorResponse(err)
	}
	return Response{Protocol: ProtocolVersion, OK: true, Result: result}
}

func errorResponse(err error) Response {
	return Response{Protocol: ProtocolVersion, OK: false, Errors: toolErrors(err)}
}

func strictDecode(data []byte, into any) error {
	if len(data) == 0 {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}
