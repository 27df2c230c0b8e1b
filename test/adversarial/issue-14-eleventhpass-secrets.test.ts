// Issue 14, eleventh pass, secrets in changes: a private key without PEM lines passed
// `ops check` as clean. `openssl ... -outform DER` writes one (PKCS#8, PKCS#1, SEC1, encrypted
// PKCS#8), and configuration files often hold the base64 body alone (`key: MIIEvQIBADANBg...`,
// an OpenSSH key's `b3BlbnNzaC1rZXktdjE...`). Public keys in the same encodings stay clean.

import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ALLOW_ALL_PATHS_DECLARATION, gatehouse, git, withRepo } from "./harness.js";

/** Adds `files` under conf/ (untracked), runs `ops check`; the exit code and the undeclared-secret files. */
function check(files: Record<string, Buffer | string>): { code: number | null; secrets: string[]; out: string } {
  return withRepo("eleventhpass-secrets", { "op.yaml": ALLOW_ALL_PATHS_DECLARATION }, (dir) => {
    git(dir, "init", "-q");
    git(dir, "commit", "-q", "--allow-empty", "-m", "base");
    git(dir, "add", "op.yaml");
    git(dir, "commit", "-qm", "declaration");
    mkdirSync(join(dir, "conf"));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, "conf", name), content);
    const r = gatehouse(["ops", "check", "op.yaml", "--format", "json"], dir);
    const report = JSON.parse(r.stdout) as { findings: { code: string; location?: { file?: string } }[] };
    const secrets = report.findings.filter((f) => f.code === "ops/undeclared-secret").map((f) => f.location?.file ?? "").sort();
    return { code: r.code, secrets, out: r.stdout + r.stderr };
  });
}

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-384" });
const ed = generateKeyPairSync("ed25519");
const body = (der: Buffer) => der.toString("base64");
const wrapped = (der: Buffer) => body(der).replace(/(.{64})/g, "$1\n");
const openssh = Buffer.concat([Buffer.from("openssh-key-v1\0", "latin1"), Buffer.from([0, 0, 0, 4]), Buffer.from("none"), Buffer.from([0, 0, 0, 4]), Buffer.from("none")]).toString("base64");

const KEYS: Record<string, Buffer | string> = {
  "upstream.der": rsa.privateKey.export({ type: "pkcs1", format: "der" }),
  "upstream.p8": rsa.privateKey.export({ type: "pkcs8", format: "der" }),
  "ec.bin": ec.privateKey.export({ type: "sec1", format: "der" }),
  "ec-pkcs8.bin": ec.privateKey.export({ type: "pkcs8", format: "der" }),
  "ed25519.bin": ed.privateKey.export({ type: "pkcs8", format: "der" }),
  "sealed.bin": rsa.privateKey.export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: "x" }),
  "app.yaml": `upstream:\n  private_key: ${body(rsa.privateKey.export({ type: "pkcs8", format: "der" }))}\n`,
  "app.env": `EC_KEY="${body(ec.privateKey.export({ type: "sec1", format: "der" }))}"\n`,
  "wrapped.txt": `${wrapped(rsa.privateKey.export({ type: "pkcs1", format: "der" }))}\n`,
  "deploy-key.txt": `${openssh}AAAAAAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5\n`,
};

test("a private key without PEM lines (DER, or its base64 body) is a secret", () => {
  const r = check(KEYS);
  assert.is(r.code, 1, r.out);
  assert.equal(r.secrets, Object.keys(KEYS).map((name) => `conf/${name}`).sort(), r.out);
  assert.match(r.out, /contains a private key without PEM lines \(DER, or its base64 body\)/);
});

test("public keys in the same encodings stay clean", () => {
  const r = check({
    "rsa.pub.der": rsa.publicKey.export({ type: "spki", format: "der" }),
    "rsa1.pub.der": rsa.publicKey.export({ type: "pkcs1", format: "der" }),
    "ec.pub.der": ec.publicKey.export({ type: "spki", format: "der" }),
    "pub.yaml": `public_key: ${body(rsa.publicKey.export({ type: "spki", format: "der" }))}\n`,
    "notes.md": "OpenSSH keys start with b3BlbnNzaC1rZXktdjE in base64.\n",
  });
  assert.equal(r.secrets, [], r.out);
  assert.is(r.code, 0, r.out);
});

test.run();
