#!/usr/bin/env bash
# Builds the pinned Go policy toolchain (opa, regal, conftest) into .toolchain/bin, and
# gatehouse's own Go module for WASI (tools/wasm: OPA's compiler, checker, formatter and test
# runner behind a JSON protocol) into dist/toolchain, which ships in the package so that Rego
# compiles with Node alone (src/toolchain/wasi.ts).
# Versions are pinned by tools/<name>/go.mod + go.sum (Go's `tool` directive), so the
# build is reproducible from the Go module proxy. Idempotent: a tool is rebuilt only
# when its go.mod/go.sum (and, for wasm, its Go sources) changed since it was last built.
#
# Usage: scripts/toolchain.sh [opa|regal|conftest|wasm ...]   (default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.toolchain/bin"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  echo "toolchain: 'go' is not on PATH; install Go >= 1.24 to build opa/regal/conftest" >&2
  exit 2
fi

tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(opa regal conftest wasm)

# dist/toolchain/gatehouse-go.wasm and its manifest.json (read and checked by src/toolchain/wasi.ts).
build_wasm() {
  local dir="$root/tools/wasm" out="$root/dist/toolchain"
  local pin
  # Everything the module is built from: the pins and the Go sources (not their tests).
  pin="$(cd "$dir" && cat go.mod go.sum $(ls *.go hostbuiltins/*.go | grep -v "_test\.go$" | LC_ALL=C sort) | sha256sum | cut -d' ' -f1)"
  # The manifest records the digest of the sources it was built from (nothing else to ship).
  if [ -f "$out/gatehouse-go.wasm" ] && [ -f "$out/manifest.json" ] && grep -q "\"sourcesSha256\": \"$pin\"" "$out/manifest.json"; then
    echo "toolchain: wasm up to date"
    return
  fi
  echo "toolchain: building wasm (tools/wasm for GOOS=wasip1 GOARCH=wasm)"
  mkdir -p "$out"
  # -buildvcs=false: the module sits in this git repository, and a stamped commit would make
  # the bytes depend on it.
  ( cd "$dir" && GOOS=wasip1 GOARCH=wasm GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
      go build -trimpath -o "$out/.gatehouse-go.wasm.tmp" . )
  # The builtins reactor (tools/wasm/hostbuiltins): OPA's topdown answering the policy runtime's
  # synchronous builtin calls, so it is a WASI reactor (exports called after _initialize).
  ( cd "$dir" && GOOS=wasip1 GOARCH=wasm GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
      go build -trimpath -buildmode=c-shared -o "$out/.gatehouse-builtins.wasm.tmp" ./hostbuiltins )
  local protocol opa_version conftest_version wasm_sha go_sum_sha bytes
  protocol="$(sed -n 's/^const ProtocolVersion = \([0-9][0-9]*\)$/\1/p' "$dir/protocol.go")"
  # The direct requires, on one line or in the require block.
  opa_version="$(sed -n 's/^\(require\)\{0,1\}[[:space:]]*github.com\/open-policy-agent\/opa v\([^ ]*\)$/\2/p' "$dir/go.mod")"
  conftest_version="$(sed -n 's/^\(require\)\{0,1\}[[:space:]]*github.com\/open-policy-agent\/conftest v\([^ ]*\)$/\2/p' "$dir/go.mod")"
  if [ -z "$protocol" ] || [ -z "$opa_version" ] || [ -z "$conftest_version" ]; then
    echo "toolchain: cannot read ProtocolVersion (tools/wasm/protocol.go) or the opa and conftest requires (tools/wasm/go.mod)" >&2
    exit 2
  fi
  wasm_sha="$(sha256sum "$out/.gatehouse-go.wasm.tmp" | cut -d' ' -f1)"
  go_sum_sha="$(sha256sum "$dir/go.sum" | cut -d' ' -f1)"
  bytes="$(wc -c < "$out/.gatehouse-go.wasm.tmp" | tr -d ' ')"
  local builtins_sha builtins_bytes
  builtins_sha="$(sha256sum "$out/.gatehouse-builtins.wasm.tmp" | cut -d' ' -f1)"
  builtins_bytes="$(wc -c < "$out/.gatehouse-builtins.wasm.tmp" | tr -d ' ')"
  printf '{\n  "protocol": %s,\n  "opaVersion": "%s",\n  "conftestVersion": "%s",\n  "goVersion": "%s",\n  "wasm": { "file": "gatehouse-go.wasm", "sha256": "%s", "bytes": %s },\n  "builtins": { "file": "gatehouse-builtins.wasm", "sha256": "%s", "bytes": %s },\n  "goSumSha256": "%s",\n  "sourcesSha256": "%s"\n}\n' \
    "$protocol" "$opa_version" "$conftest_version" "$(go env GOVERSION)" "$wasm_sha" "$bytes" "$builtins_sha" "$builtins_bytes" "$go_sum_sha" "$pin" > "$out/.manifest.json.tmp"
  # The module first, then the manifest naming it: a reader never sees a manifest for absent bytes.
  mv -f "$out/.gatehouse-go.wasm.tmp" "$out/gatehouse-go.wasm"
  mv -f "$out/.gatehouse-builtins.wasm.tmp" "$out/gatehouse-builtins.wasm"
  mv -f "$out/.manifest.json.tmp" "$out/manifest.json"
}

for tool in "${tools[@]}"; do
  if [ "$tool" = wasm ]; then
    build_wasm
    continue
  fi
  dir="$root/tools/$tool"
  if [ ! -f "$dir/go.mod" ]; then
    echo "toolchain: unknown tool '$tool' (no tools/$tool/go.mod)" >&2
    exit 2
  fi
  pin="$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -d' ' -f1)"
  stamp="$bin/.$tool.pin"
  if [ -x "$bin/$tool" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pin" ]; then
    echo "toolchain: $tool up to date"
    continue
  fi
  pkg="$(sed -n 's/^tool[[:space:]]\+//p' "$dir/go.mod" | head -n1)"
  echo "toolchain: building $tool ($pkg)"
  # Build to a temp name, then rename: an interrupted build never leaves a half binary.
  ( cd "$dir" && GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath -o "$bin/.$tool.tmp" "$pkg" )
  mv -f "$bin/.$tool.tmp" "$bin/$tool"
  echo "$pin" > "$stamp"
done
