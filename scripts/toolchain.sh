#!/usr/bin/env bash
# Builds the pinned Go policy toolchain (opa, regal, conftest) into .toolchain/bin.
# Versions are pinned by tools/<name>/go.mod + go.sum (Go's `tool` directive), so the
# build is reproducible from the Go module proxy. Idempotent: a tool is rebuilt only
# when its go.mod/go.sum changed since it was last built.
#
# Usage: scripts/toolchain.sh [opa|regal|conftest ...]   (default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.toolchain/bin"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  echo "toolchain: 'go' is not on PATH; install Go >= 1.24 to build opa/regal/conftest" >&2
  exit 2
fi

tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(opa regal conftest)

for tool in "${tools[@]}"; do
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
