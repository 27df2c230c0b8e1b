// Issue 14.9: secret detection missed copies of key files (id_rsa.bak, server.key.bak), PuTTY
// .ppk files and keys past the first 64 KiB of a file. Each case adds one untracked file to a
// scratch repository and runs the real CLI (`gatehouse ops check`) under a declaration that
// allows every path, so ops/undeclared-secret is the only thing that can deny.

import { closeSync, mkdirSync, openSync, symlinkSync, ftruncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ALLOW_ALL_PATHS_DECLARATION, gatehouse, git, withRepo } from "./harness.js";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

/** Adds files with `add`, runs `ops check`, returns the exit code and the undeclared-secret files. */
function check(add: (dir: string) => void): { code: number | null; files: string[]; out: string } {
  return withRepo("secrets", { "op.yaml": ALLOW_ALL_PATHS_DECLARATION }, (dir) => {
    git(dir, "init", "-q");
    git(dir, "add", "op.yaml");
    git(dir, "commit", "-qm", "base");
    mkdirSync(join(dir, "keys"));
    add(join(dir, "keys"));
    const r = gatehouse(["ops", "check", "op.yaml", "--format", "json"], dir);
    const out = `${r.stdout}${r.stderr}`;
    const report = JSON.parse(r.stdout) as { findings: { code: string; location?: { file?: string } }[] };
    const files = report.findings.filter((f) => f.code === "ops/undeclared-secret").map((f) => f.location?.file ?? "");
    return { code: r.code, files: files.sort(), out };
  });
}

const COPIES = ["id_rsa.bak", "server.key.bak", "id_ed25519.old", "id_ecdsa.orig", "server.key~", ".id_rsa.swp", "id_rsa (copy)", "id_rsa.bak.1", "deploy.pem.save", ".env.bak", "credentials.json.copy"];

for (const name of COPIES) {
  test(`issue 14.9: a copy of a key file is a secret (${name})`, () => {
    const r = check((dir) => writeFileSync(join(dir, name), "not a key by content\n"));
    assert.is(r.code, 1, r.out);
    assert.equal(r.files, [`keys/${name}`], r.out);
  });
}

test("issue 14.9: a PuTTY .ppk file is a secret by name and by content", () => {
  const r = check((dir) => {
    writeFileSync(join(dir, "web.ppk"), "x\n");
    writeFileSync(join(dir, "notes.txt"), "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n");
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.files, ["keys/notes.txt", "keys/web.ppk"], r.out);
});

test("issue 14.9: a key past the first 64 KiB of a file is found (and one across a read boundary)", () => {
  const r = check((dir) => {
    writeFileSync(join(dir, "late.log"), `${"x".repeat(64 * 1024 + 17)}\n${KEY}`);
    // The marker straddles the collector's 1 MiB read boundary.
    writeFileSync(join(dir, "straddle.log"), `${"y".repeat(1024 * 1024 - 10)}${KEY}`);
    writeFileSync(join(dir, "utf16.txt"), Buffer.from(`${"z".repeat(70_000)}${KEY}`, "utf16le"));
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.files, ["keys/late.log", "keys/straddle.log", "keys/utf16.txt"], r.out);
});

test("issue 14.9: a file too large to scan is a finding, not a pass", () => {
  const r = check((dir) => {
    const fd = openSync(join(dir, "huge.bin"), "w");
    ftruncateSync(fd, 64 * 1024 * 1024 + 1);
    closeSync(fd);
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.files, ["keys/huge.bin"], r.out);
  assert.match(r.out, /limit for scanning/);
});

test("issue 14.9: public keys, certificates and ordinary files are not secrets", () => {
  const r = check((dir) => {
    writeFileSync(join(dir, "id_rsa.pub"), "ssh-rsa AAAA\n");
    writeFileSync(join(dir, "ca.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFileSync(join(dir, "big.log"), `${"x".repeat(200_000)}\n-----BEGIN PUBLIC KEY-----\n`);
    writeFileSync(join(dir, "nginx.conf.bak"), "events {}\n");
    symlinkSync("/dev/zero", join(dir, "zero"));
  });
  assert.is(r.code, 0, r.out);
  assert.equal(r.files, []);
});

test.run();
