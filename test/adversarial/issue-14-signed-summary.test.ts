// Issue 14.10: a forged PASSED verification summary passed `check-summary`: summaries were
// unsigned. Now `promote verify --sign-key` writes an in-toto Statement (SLSA VSA predicate) in a
// DSSE envelope signed with ECDSA P-256, and `check-summary --key` verifies the signature before
// reading anything else. The signature is checked against openssl both ways, so standard tools
// (cosign, openssl) and gatehouse agree on what was signed.

import { spawnSync } from "node:child_process";
import { createPrivateKey, sign } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { decodeBase64, pae } from "../../src/promotion/dsse.js";
import { gatehouseAt } from "../helpers/installed-copy.js";

const NOW = "2026-01-01T00:00:00Z";
const ROOT = packagePath();
const work = mkdtempSync(join(tmpdir(), "gatehouse-issue-14-summary-"));
const example = join(work, "promotion");
cpSync(packagePath("examples", "promotion"), example, { recursive: true });
const at = (name: string) => join(work, name);
const cli = (args: string[], cwd = work) => gatehouseAt(ROOT, [...args, "--format", "json"], cwd);
const check = (summary: string, key = at("k.pub"), ...extra: string[]) => cli(["promote", "check-summary", summary, "--key", key, ...extra]);
const openssl = (args: string[]) => spawnSync("openssl", args, { cwd: work, encoding: "utf8" });

interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}
const readEnvelope = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Envelope;
const statementOf = (envelope: Envelope) => JSON.parse(decodeBase64(envelope.payload)!.toString("utf8"));

/** An envelope over `statement` (JSON text or bytes) signed with the PEM key at `keyFile`, as a DSSE signer does. */
function signWith(keyFile: string, statement: unknown, payloadType = "application/vnd.in-toto+json"): Envelope {
  const body = Buffer.from(typeof statement === "string" ? statement : JSON.stringify(statement), "utf8");
  const sig = sign("sha256", pae(payloadType, body), createPrivateKey(readFileSync(keyFile, "utf8")));
  return { payloadType, payload: body.toString("base64"), signatures: [{ keyid: "", sig: sig.toString("base64") }] };
}

function write(name: string, document: unknown): string {
  writeFileSync(at(name), typeof document === "string" ? document : JSON.stringify(document));
  return at(name);
}

test.before(() => {
  for (const name of ["k", "other"]) assert.is(gatehouseAt(ROOT, ["keys", "generate", at(name)], work).code, 0);
  const r = cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", at("summary.json"), "--sign-key", at("k.key"), "--now", NOW], example);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test("issue 14.10: the genuine signed summary passes", () => {
  const r = check(at("summary.json"));
  assert.is(r.code, 0, r.stdout);
  assert.equal(r.codes, []);
});

test("issue 14.10: a forged PASSED summary without a signature is refused (summary/unsigned)", () => {
  const statement = statementOf(readEnvelope(at("summary.json")));
  const legacy = {
    summaryVersion: "verification-summary.v1",
    verifier: { id: "https://gatehouse.dev/promote/v1", version: "0.1.0" },
    timeVerified: "2026-01-01T00:00:00.000Z",
    policy: statement.predicate.policy,
    schemas: [],
    inputAttestations: statement.predicate.inputAttestations,
    subject: statement.subject,
    verificationResult: "PASSED",
    verifiedLevels: ["GATEHOUSE_PROMOTION_V1"],
    findings: [],
  };
  for (const [name, doc] of Object.entries({ legacy, statement, empty: { ...readEnvelope(at("summary.json")), signatures: [] } })) {
    const r = check(write(`unsigned-${name}.json`, doc));
    assert.is(r.code, 1, name);
    assert.equal(r.codes, ["summary/unsigned"], name);
  }
});

test("issue 14.10: a summary changed after signing, or re-signed with another key, is refused (summary/bad-signature)", () => {
  const envelope = readEnvelope(at("summary.json"));
  const statement = statementOf(envelope);
  const forged = structuredClone(statement);
  forged.subject[0].digest.sha256 = "0".repeat(64);
  const cases: Record<string, Envelope> = {
    "payload swapped, signature kept": { ...envelope, payload: Buffer.from(JSON.stringify(forged)).toString("base64") },
    "re-signed with another key": signWith(at("other.key"), forged),
    "payloadType changed, signature kept": { ...envelope, payloadType: "application/json" },
    "signature of another envelope": { ...envelope, signatures: signWith(at("k.key"), forged).signatures },
    "signature not DER": { ...envelope, signatures: [{ keyid: "", sig: Buffer.alloc(64, 1).toString("base64") }] },
  };
  for (const [label, doc] of Object.entries(cases)) {
    const r = check(write("forged.json", doc));
    assert.is(r.code, 1, label);
    assert.equal(r.codes, ["summary/bad-signature"], label);
  }
  // The genuine summary does not verify with another key either.
  assert.equal(check(at("summary.json"), at("other.pub")).codes, ["summary/bad-signature"]);
});

test("issue 14.10: a signed envelope with another payloadType is refused (summary/wrong-payload-type)", () => {
  const statement = statementOf(readEnvelope(at("summary.json")));
  const r = check(write("typed.json", signWith(at("k.key"), statement, "application/json")));
  assert.is(r.code, 1);
  assert.equal(r.codes, ["summary/wrong-payload-type"]);
});

test("issue 14.10: malformed envelopes and signed payloads that are not a summary are refused (summary/invalid)", () => {
  const envelope = readEnvelope(at("summary.json"));
  const statement = statementOf(envelope);
  const cases: Record<string, unknown> = {
    "not JSON": "{",
    "payload not base64": { ...envelope, payload: "%%%" },
    "an unknown envelope field": { ...envelope, extra: 1 },
    "signed text that is not JSON": signWith(at("k.key"), "not json"),
    "signed duplicate keys": signWith(at("k.key"), JSON.stringify(statement).replace('{"_type":', '{"_type":"x","_type":')),
    "signed provenance, not a VSA": signWith(at("k.key"), { ...statement, predicateType: "https://slsa.dev/provenance/v1" }),
    "signed PASSED vouching for nothing": signWith(at("k.key"), { ...statement, subject: [] }),
  };
  for (const [label, doc] of Object.entries(cases)) {
    const r = check(write("malformed.json", doc));
    assert.is(r.code, 1, label);
    assert.ok(r.codes.length > 0 && r.codes.every((c) => c === "summary/invalid"), `${label}: ${r.codes.join(", ")}`);
  }
});

test("issue 14.10: a correctly signed summary whose subject digests do not match the files is refused", () => {
  const statement = statementOf(readEnvelope(at("summary.json")));
  statement.subject[1].digest.sha256 = "f".repeat(64);
  const r = check(write("lying.json", signWith(at("k.key"), statement)));
  assert.is(r.code, 1);
  assert.equal(r.codes, ["summary/subject-mismatch"]);
});

test("issue 14.10: a summary made with a bundle other than the trusted one is refused unless that bundle is named", () => {
  const bundle = at("own-bundle");
  assert.is(gatehouseAt(ROOT, ["build", "--policy", packagePath("policy"), "--out", bundle], work).code, 0);
  // Same sources, so the same wasm: trusted. A summary of another wasm is not.
  const statement = statementOf(readEnvelope(at("summary.json")));
  statement.predicate.policy.digest.sha256 = "e".repeat(64);
  const other = write("other-policy.json", signWith(at("k.key"), statement));
  assert.equal(check(other).codes, ["summary/policy-mismatch"]);
  assert.equal(check(at("summary.json"), at("k.pub"), "--policy", bundle).codes, []);
  const elsewhere = at("elsewhere-policy");
  cpSync(packagePath("policy"), elsewhere, { recursive: true });
  writeFileSync(join(elsewhere, "promotion", "extra.rego"), 'package gatehouse.promotion.extra\n\nwarn contains "x" if input.never\n');
  const built = gatehouseAt(ROOT, ["build", "--policy", elsewhere, "--out", at("elsewhere-bundle")], work);
  assert.is(built.code, 0, built.stdout);
  assert.equal(check(at("summary.json"), at("k.pub"), "--policy", at("elsewhere-bundle")).codes, ["summary/policy-mismatch"]);
});

test("issue 14.10: openssl verifies gatehouse's signature over PAE, and gatehouse verifies openssl's", () => {
  const envelope = readEnvelope(at("summary.json"));
  const body = decodeBase64(envelope.payload)!;
  // PAE written out by hand from the DSSE spec, not by gatehouse's pae().
  const type = Buffer.from(envelope.payloadType);
  writeFileSync(at("pae.bin"), Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]));
  assert.equal(readFileSync(at("pae.bin")), pae(envelope.payloadType, body));
  writeFileSync(at("sig.der"), decodeBase64(envelope.signatures[0]!.sig)!);
  const verified = openssl(["dgst", "-sha256", "-verify", "k.pub", "-signature", "sig.der", "pae.bin"]);
  assert.is(verified.status, 0, verified.stderr);
  assert.match(verified.stdout, /Verified OK/);
  // gatehouse's keyid is the sha256 of the DER public key, as openssl computes it.
  const der = spawnSync("openssl", ["pkey", "-pubin", "-in", "k.pub", "-outform", "DER"], { cwd: work });
  assert.is(envelope.signatures[0]!.keyid, spawnSync("sha256sum", [], { input: der.stdout, encoding: "utf8" }).stdout.split(" ")[0]);

  // The reverse: a key openssl made (SEC1 and PKCS#8), a signature openssl made.
  assert.is(openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ossl.key"]).status, 0);
  assert.is(openssl(["ec", "-in", "ossl.key", "-pubout", "-out", "ossl.pub"]).status, 0);
  assert.is(openssl(["dgst", "-sha256", "-sign", "ossl.key", "-out", "ossl.sig", "pae.bin"]).status, 0);
  const byOpenssl = { payloadType: envelope.payloadType, payload: envelope.payload, signatures: [{ keyid: "", sig: readFileSync(at("ossl.sig")).toString("base64") }] };
  const r = check(write("openssl-signed.json", byOpenssl), at("ossl.pub"));
  assert.is(r.code, 0, r.stdout);
  // URL-safe base64 without padding, which DSSE allows.
  const urlSafe = { ...byOpenssl, payload: body.toString("base64url"), signatures: [{ sig: readFileSync(at("ossl.sig")).toString("base64url") }] };
  assert.is(check(write("openssl-urlsafe.json", urlSafe), at("ossl.pub")).code, 0);
  assert.is(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "pkcs8.key"]).status, 0);
  const signed = cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", at("by-pkcs8.json"), "--sign-key", at("pkcs8.key"), "--now", NOW], example);
  assert.is(signed.code, 0, signed.stdout + signed.stderr);
  assert.is(openssl(["pkey", "-in", "pkcs8.key", "-pubout", "-out", "pkcs8.pub"]).status, 0);
  assert.is(check(at("by-pkcs8.json"), at("pkcs8.pub")).code, 0);
});

test("issue 14.10: keys generate writes a 0600 private key, never replaces one, and only P-256 keys are used", () => {
  assert.is(statSync(at("k.key")).mode & 0o777, 0o600);
  assert.match(readFileSync(at("k.key"), "utf8"), /^-----BEGIN PRIVATE KEY-----/);
  assert.match(readFileSync(at("k.pub"), "utf8"), /^-----BEGIN PUBLIC KEY-----/);
  const before = readFileSync(at("k.key"), "utf8");
  const again = gatehouseAt(ROOT, ["keys", "generate", at("k")], work);
  assert.is(again.code, 2);
  assert.match(again.stderr, /already exists/);
  assert.is(readFileSync(at("k.key"), "utf8"), before);

  assert.is(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.key"]).status, 0);
  assert.is(openssl(["pkey", "-in", "p384.key", "-pubout", "-out", "p384.pub"]).status, 0);
  const wrongCurve = cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", at("p384.json"), "--sign-key", at("p384.key"), "--now", NOW], example);
  assert.is(wrongCurve.code, 2);
  assert.is(check(at("summary.json"), at("p384.pub")).code, 2);
  // The verifier is given the public key: a private key in its place is a usage mistake.
  assert.is(check(at("summary.json"), at("k.key")).code, 2);
  assert.is(gatehouseAt(ROOT, ["promote", "check-summary", at("summary.json")], work).code, 2);
});

test.run();
