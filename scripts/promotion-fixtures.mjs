#!/usr/bin/env node
// Regenerates fixtures/promotion-input/issue-4-*.json: the `receipts` collector's real document for
// examples/promotion (the valid case), then one mutation per deny code. Run after `npm run
// compile`, from the repository root, whenever the example or promotion-input.v1 changes.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);
const { collectPromotion, promotionSettings } = await import(join(root, "dist/src/promotion/collect.js"));
const { SchemaRegistry } = await import(join(root, "dist/src/schemas/registry.js"));

const example = resolve(root, "examples/promotion");
const collected = await collectPromotion(root, promotionSettings({ requiredChecks: ["schema-validation", "pii-scan"] }), new SchemaRegistry(), {
  receiptFiles: [join(example, "run.receipt.json")],
  registryFile: join(example, "watcher-registry.json"),
});
if (collected.inputs.length !== 1 || collected.findings.length > 0) throw new Error("the example did not collect cleanly");
const base = collected.inputs[0].document;
const clone = () => structuredClone(base);
const sha = (c) => c.repeat(64);

function variant(description, codes, mutate) {
  const data = clone();
  mutate(data);
  return { description, data, valid: codes.length === 0, ...(codes.length ? { codes } : {}) };
}

const out = (d, i) => d.outputs[i];
const doc = (d) => d.receipt.document;

const suites = {
  "issue-4-example": {
    description: "issue 4: the examples/promotion run as the receipts collector sees it",
    tests: [variant("the example pipeline output passes", [], () => {})],
  },
  "issue-4-tampered": {
    description: "issue 4: artifacts on disk that are not the ones the receipt names",
    tests: [
      variant("one byte changed in an output: same size, another sha256", ["promotion/digest-mismatch"], (d) => { out(d, 1).actual.sha256 = sha("e"); }),
      variant("an output grew: size and digest differ", ["promotion/digest-mismatch", "promotion/size-mismatch"], (d) => { out(d, 0).actual.sha256 = sha("e"); out(d, 0).actual.bytes += 1; }),
      variant("a digest copied from another file", ["promotion/digest-mismatch"], (d) => { doc(d).outputs[1].digest.sha256 = out(d, 0).actual.sha256; out(d, 1).declared.sha256 = out(d, 0).actual.sha256; }),
      variant("an output deleted", ["promotion/output-missing"], (d) => { out(d, 2).actual = { status: "missing", detail: "no such file" }; }),
      variant("an output replaced by a directory", ["promotion/output-missing"], (d) => { out(d, 2).actual = { status: "not-a-file", detail: "not a regular file" }; }),
      variant("a receipt pointing outside the root", ["promotion/path-escape"], (d) => { doc(d).outputs[0].path = "../../etc/passwd"; out(d, 0).path = "../../etc/passwd"; out(d, 0).allowedByProvider = false; out(d, 0).actual = { status: "escapes", detail: "resolves outside the receipt's directory" }; }),
      variant("an output the provider may not produce", ["promotion/output-not-allowed"], (d) => { out(d, 3).allowedByProvider = false; }),
    ],
  },
  "issue-4-provider": {
    description: "issue 4: the provider and the watcher registry",
    tests: [
      variant("an unlisted provider", ["promotion/provider-unlisted"], (d) => { doc(d).provider.id = "https://ci.example.com/runners/rogue"; d.provider = { id: "https://ci.example.com/runners/rogue", listed: false }; for (const o of d.outputs) o.allowedByProvider = false; }),
      variant("an expired provider", ["promotion/provider-expired"], (d) => { d.provider.expires = "2025-03-31T00:00:00Z"; }),
      variant("a provider entry not valid yet", ["promotion/provider-expired"], (d) => { d.provider.notBefore = "2026-06-01T00:00:00Z"; }),
      variant("the watcher registry is missing: everything denies", ["promotion/registry-missing"], (d) => { d.registry = { status: "missing", problems: ["no watcher registry configured (promotion.registry or --registry)"] }; d.provider = { id: d.provider.id, listed: false }; for (const o of d.outputs) o.allowedByProvider = false; }),
      variant("the watcher registry fails its schema: everything denies", ["promotion/registry-invalid"], (d) => { d.registry = { status: "invalid", path: "examples/promotion/watcher-registry.json", problems: ["/providers/0 must have required property 'expires' (schema watcher-registry.v1)"] }; d.provider = { id: d.provider.id, listed: false }; for (const o of d.outputs) o.allowedByProvider = false; }),
    ],
  },
  "issue-4-checks": {
    description: "issue 4: checks performed by the run",
    tests: [
      variant("a check FAILED", ["promotion/check-failed"], (d) => { doc(d).checks[1].status = "FAILED"; }),
      variant("a required check is absent", ["promotion/required-check-absent"], (d) => { d.settings.requiredChecks.push("sbom"); }),
      variant("WARNED checks do not deny", [], (d) => { doc(d).checks[0].status = "WARNED"; }),
    ],
  },
  "issue-4-markers": {
    description: "issue 4: licence, provenance and sensitivity markers",
    tests: [
      variant("no licence anywhere", ["promotion/licence-missing"], (d) => { delete doc(d).provenance.licence; }),
      variant("provenance without source or attribution", ["promotion/provenance-missing"], (d) => { doc(d).provenance = { licence: "Apache-2.0" }; }),
      variant("a restricted output without redaction evidence", ["promotion/redaction-missing"], (d) => { delete doc(d).outputs[3].sensitivity.redaction; }),
      variant("an output with only a uri", ["promotion/required-field-missing"], (d) => { const o = doc(d).outputs[2]; delete o.path; o.uri = "s3://ml-out/evaluation-report.json"; d.outputs[2] = { index: 2, declared: d.outputs[2].declared, actual: { status: "no-path" } }; }),
      variant("no outputs at all", ["promotion/required-field-missing"], (d) => { doc(d).outputs = []; d.outputs = []; }),
    ],
  },
  "issue-4-timestamps": {
    description: "issue 4: timestamps read against the injected clock (fixture now 2026-01-01T00:00:00Z)",
    tests: [
      variant("finished before started", ["promotion/timestamps-inverted"], (d) => { doc(d).finishedAt = "2025-06-01T08:59:59Z"; }),
      variant("finished in the future beyond the skew", ["promotion/timestamp-in-future"], (d) => { doc(d).finishedAt = "2026-01-01T00:05:01Z"; }),
      variant("finished in the future within the skew", [], (d) => { doc(d).finishedAt = "2026-01-01T00:04:59Z"; }),
    ],
  },
  "issue-4-manifest": {
    description: "issue 4: the receipt's link to its run manifest",
    tests: [
      variant("no manifest with the declared digest", ["promotion/manifest-unlinked"], (d) => { d.manifest = { status: "missing", declaredSha256: d.manifest.declaredSha256, problems: ["no manifest with that sha256 was found"] }; }),
      variant("the manifest at the receipt's path has another digest", ["promotion/manifest-digest-mismatch"], (d) => { d.manifest.status = "digest-mismatch"; d.manifest.actualSha256 = sha("d"); delete d.manifest.runId; }),
      variant("the linked manifest is for another run", ["promotion/manifest-invalid"], (d) => { d.manifest.status = "invalid"; d.manifest.runId = "churn-2025-05-01-0009"; d.manifest.problems = ["the manifest's runId differs from the receipt's"]; }),
    ],
  },
  "issue-15-closed-world": {
    description: "issue 15: a closed output directory (receipt closedOutputs or promote verify --closed) holds only declared outputs",
    tests: [
      variant("every file in the closed directory is declared", [], (d) => { d.closedWorld = { directory: "outputs", source: "receipt", undeclared: [] }; }),
      variant("an extra file in the closed directory", ["promotion/output-undeclared"], (d) => { d.closedWorld = { directory: "outputs", source: "verify", undeclared: [{ path: "outputs/extra.bin", file: "examples/promotion/outputs/extra.bin" }] }; }),
      variant("a closed directory that cannot be listed", ["promotion/output-undeclared"], (d) => { d.closedWorld = { directory: "outputs", source: "receipt", undeclared: [], problem: "the closed output directory is not a directory" }; }),
      variant("a closed-world fact without its source", ["schema/invalid"], (d) => { d.closedWorld = { directory: "outputs", undeclared: [] }; }),
    ],
  },
  "issue-4-shape": {
    description: "issue 4: malformed receipts and inputs fail promotion-input.v1 / run-receipt.v1",
    tests: [
      variant("a receipt without runId", ["schema/invalid"], (d) => { delete doc(d).runId; }),
      variant("a receipt with an unknown field", ["schema/invalid"], (d) => { doc(d).signedBy = "someone"; }),
      variant("a check status outside PASSED/WARNED/FAILED", ["schema/invalid"], (d) => { doc(d).checks[0].status = "OK"; }),
      variant("a leap second, which time.parse_rfc3339_ns cannot parse", ["schema/invalid"], (d) => { doc(d).finishedAt = "2025-06-30T23:59:60Z"; }),
      variant("a lower-case t in a timestamp", ["schema/invalid"], (d) => { doc(d).startedAt = "2025-06-01t09:00:00Z"; }),
      variant("an output fact with an unknown status", ["schema/invalid"], (d) => { out(d, 0).actual.status = "probably-fine"; }),
    ],
  },
};

mkdirSync(join(root, "fixtures/promotion-input"), { recursive: true });
for (const [name, suite] of Object.entries(suites)) {
  writeFileSync(join(root, "fixtures/promotion-input", `${name}.json`), `${JSON.stringify(suite, null, 2)}\n`);
}
console.log(`wrote ${Object.keys(suites).length} fixture files`);
