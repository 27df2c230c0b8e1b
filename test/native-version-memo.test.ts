// NativeToolchain.opaVersion (src/toolchain/native.ts): `opa version` runs once per binary and
// the answer is remembered in the cache directory under a name made of the binary's identity, so
// a rebuilt, replaced or touched binary is asked again, and a damaged memo is never believed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NativeToolchain, versionMemoFile } from "../src/toolchain/native.js";

const work = mkdtempSync(join(tmpdir(), "gatehouse-version-memo-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const memoDir = join(work, "memo");
const calls = join(work, "calls");

/** A stand-in opa that answers `opa version` as opa does and counts how often it ran. */
function writeOpa(name: string, version: string): string {
  const bin = join(work, name);
  writeFileSync(bin, `#!/bin/sh\necho run >> ${JSON.stringify(calls)}\necho "Version: ${version}"\necho "Go Version: go1.25.0"\n`);
  chmodSync(bin, 0o755);
  return bin;
}

function runs(): number {
  return existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter(Boolean).length : 0;
}

test("asked once, then remembered across instances (each is one CLI run)", async () => {
  rmSync(calls, { force: true });
  const opa = writeOpa("opa-a", "1.22.0");
  assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.22.0");
  assert.is(runs(), 1);
  assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.22.0");
  assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.22.0");
  assert.is(runs(), 1, "the memo answered");
  assert.equal(readdirSync(memoDir).filter((f) => f.endsWith(".tmp")), [], "nothing half-written is left");
});

test("a replaced or touched binary is asked again; another binary has its own memo", async () => {
  rmSync(calls, { force: true });
  const opa = writeOpa("opa-b", "1.22.0");
  assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.22.0");
  const before = versionMemoFile(opa, memoDir);
  writeOpa("opa-b", "1.23.1"); // same path, new content
  assert.is.not(versionMemoFile(opa, memoDir), before);
  assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.23.1");
  assert.is(runs(), 2);
  // Same size and content, only the times changed (a rebuild of the same bytes).
  const later = new Date(Date.now() + 5_000);
  utimesSync(opa, later, later);
  assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.23.1");
  assert.is(runs(), 3);
  const other = writeOpa("opa-c", "1.21.0");
  assert.is(await new NativeToolchain(other, memoDir).opaVersion(), "1.21.0");
  assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.23.1");
  assert.is(runs(), 4);
});

test("a damaged or foreign memo is not believed, and is replaced by the real answer", async () => {
  rmSync(calls, { force: true });
  const opa = writeOpa("opa-d", "1.22.0");
  const memo = versionMemoFile(opa, memoDir)!;
  mkdirSync(memoDir, { recursive: true });
  for (const content of ["{", JSON.stringify({ opaVersion: 122 }), JSON.stringify({ opaVersion: "1.22.0; rm -rf /" }), JSON.stringify({})]) {
    writeFileSync(memo, content);
    assert.is(await new NativeToolchain(opa, memoDir).opaVersion(), "1.22.0");
  }
  assert.is(runs(), 4);
  assert.equal(JSON.parse(readFileSync(memo, "utf8")), { opaVersion: "1.22.0" });
});

test("without a memo directory, or with one that cannot be written, the version is asked every run", async () => {
  rmSync(calls, { force: true });
  const opa = writeOpa("opa-e", "1.22.0");
  assert.is(await new NativeToolchain(opa, null).opaVersion(), "1.22.0");
  assert.is(await new NativeToolchain(opa, null).opaVersion(), "1.22.0");
  const blocked = join(work, "a-file");
  writeFileSync(blocked, "");
  assert.is(await new NativeToolchain(opa, join(blocked, "memo")).opaVersion(), "1.22.0");
  assert.is(await new NativeToolchain(opa, join(blocked, "memo")).opaVersion(), "1.22.0");
  assert.is(runs(), 4);
});

test("a binary that cannot be found is still an error naming it, never a remembered answer", async () => {
  const missing = join(work, "no-such-opa");
  assert.is(versionMemoFile(missing, memoDir), undefined);
  try {
    await new NativeToolchain(missing, memoDir).opaVersion();
    assert.unreachable("should have failed");
  } catch (error) {
    assert.match((error as Error).message, /no-such-opa/);
  }
});

test.run();
