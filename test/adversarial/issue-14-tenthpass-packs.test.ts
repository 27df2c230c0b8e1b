// Issue 14, tenth adversarial pass (part 2): packs, waivers, contracts, the gate end to end and
// the security review, attacked in throwaway repositories through the CLI.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { gatehouse, repo, SIGNED_OFF_ENTRY } from "./harness.js";

const SECURITY_CONFIG = "version: 1\npack:\n  use: default@1.0\n  overrides:\n    rules:\n      security/*: { severity: error }\ncollectors:\n  security: {}\n";
const SECRET_LOG = readFileSync(packagePath("examples", "security", "secrets", "deny", "logs", "worker.log"));
const UNGATED_SEND = readFileSync(packagePath("examples", "security", "side-effects", "deny", "src", "notify.ts"));

/** A git repository holding `files`, committed once. */
function committedRepo(prefix: string, files: Record<string, string | Buffer>): { root: string; git: (...args: string[]) => string } {
  const root = repo(prefix);
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=dev@example.com", "-c", "user.name=dev", "-c", "commit.gpgsign=false", ...args], { cwd: root, stdio: "pipe", encoding: "utf8" });
  git("init", "-q");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  git("add", "-A");
  git("commit", "-qm", "base");
  return { root, git };
}

test("issue 14.9: a committed .gitattributes marking a file binary or -diff does not hide the secret a change adds to it (git diff printed no hunk, so no line counted as changed)", () => {
  for (const attribute of ["*.log -diff", "*.log binary", "logs/** -text -diff"]) {
    const { root, git } = committedRepo("tenth-gitattributes", {
      "gatehouse.config.yaml": SECURITY_CONFIG,
      ".gitattributes": `${attribute}\n`,
      "logs/worker.log": "worker started\nworker stopped\n",
    });
    try {
      writeFileSync(join(root, "logs/worker.log"), SECRET_LOG);
      const run = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(run.code, 1, `${attribute}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /FAIL logs\/worker\.log:\d+ \[security\/secret-in-change\]/, attribute);
      // Committed, against the base commit, the same.
      git("commit", "-qam", "log");
      const committed = gatehouse(["gate"], root, { timeoutMs: 120_000, env: { GATEHOUSE_SECURITY_BASE: "HEAD~1" } });
      assert.is(committed.code, 1, `${attribute} (committed): ${committed.stdout}${committed.stderr}`);
      assert.match(committed.stdout, /\[security\/secret-in-change\]/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test("issue 14.9: a changed file whose name is pathspec magic or a glob (:/worker.log, *.log, :!x) is that file to git diff, so the secret it gains is on a changed line", () => {
  for (const path of [":/worker.log", "*.log", ":!other.log", ":(glob)x.log", "[w]orker.log"]) {
    const { root } = committedRepo("tenth-pathspec", {
      "gatehouse.config.yaml": SECURITY_CONFIG,
      [path]: "worker started\nworker stopped\n",
      "worker.log": "worker started\nworker stopped\n",
      "other.log": "other\n",
    });
    try {
      writeFileSync(join(root, path), SECRET_LOG);
      const run = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(run.code, 1, `${path}: ${run.stdout}${run.stderr}`);
      assert.ok(run.stdout.includes(`FAIL ${path}:`) && run.stdout.includes("[security/secret-in-change]"), `${path}: ${run.stdout}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test("issue 14.9: a source module with a byte that is not UTF-8 or a NUL in a comment, or saved as UTF-16, still gets the code checks (they skipped it as binary while it compiles and runs)", () => {
  const variants: Record<string, Buffer> = {
    "stray byte in a comment": Buffer.concat([UNGATED_SEND, Buffer.from("// \xff\n", "latin1")]),
    "NUL in a comment": Buffer.concat([UNGATED_SEND, Buffer.from("// \0\n", "latin1")]),
    "UTF-8 BOM and a NUL": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), UNGATED_SEND, Buffer.from("/* \0 */\n", "latin1")]),
    "UTF-16LE with a BOM": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(UNGATED_SEND.toString("utf8"), "utf16le")]),
    "UTF-16BE with a BOM": Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(UNGATED_SEND.toString("utf8"), "utf16le").swap16()]),
  };
  for (const [name, bytes] of Object.entries(variants)) {
    const { root } = committedRepo("tenth-binary-module", { "gatehouse.config.yaml": SECURITY_CONFIG, "src/index.ts": "export const version = 1;\n" });
    try {
      writeFileSync(join(root, "src/notify.ts"), bytes);
      const run = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(run.code, 1, `${name}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /FAIL src\/notify\.ts:\d+ \[security\/ungated-side-effect\]/, name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  // The module as committed text denies the same way, and once gated it passes (the checks ran, they are not a blanket deny).
  const { root } = committedRepo("tenth-binary-module-pass", { "gatehouse.config.yaml": SECURITY_CONFIG, "src/index.ts": "export const version = 1;\n" });
  try {
    const gated = UNGATED_SEND.toString("utf8").replace("@sideEffect external-send", "@sideEffect external-send approval-gated");
    writeFileSync(join(root, "src/notify.ts"), Buffer.concat([Buffer.from(gated), Buffer.from("// \xff\n", "latin1")]));
    const run = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(run.code, 0, run.stdout + run.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.9: a secretlint-disable comment in the changed file does not waive its secret (secretlint's preset honoured it: the change waived itself, past locks, owners and expiry)", () => {
  const log = SECRET_LOG.toString("utf8");
  const variants: Record<string, string> = {
    "secretlint-disable at the top": `# secretlint-disable\n${log}`,
    "secretlint-disable naming the rule": `/* secretlint-disable @secretlint/secretlint-rule-slack */\n${log}`,
    "secretlint-disable-line": log.replace(/\n/g, " // secretlint-disable-line\n"),
    "secretlint-disable-next-line": log.replace(/^(.*xoxb)/m, "# secretlint-disable-next-line\n$1"),
  };
  const { root } = committedRepo("tenth-secretlint-disable", { "gatehouse.config.yaml": SECURITY_CONFIG, "logs/worker.log": "worker started\n" });
  try {
    for (const [name, text] of Object.entries(variants)) {
      writeFileSync(join(root, "logs/worker.log"), text);
      const run = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(run.code, 1, `${name}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /FAIL logs\/worker\.log:\d+ \[security\/secret-in-change\]/, name);
    }
    // The redacted log, comments and all, still passes.
    writeFileSync(join(root, "logs/worker.log"), `# secretlint-disable\n${readFileSync(packagePath("examples", "security", "secrets", "pass", "logs", "worker.log"), "utf8")}`);
    const clean = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(clean.code, 0, clean.stdout + clean.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** Four links per level back to the level above: a walk that follows them never ends. */
function linkTree(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of ["l1", "l2", "l3", "l4"]) symlinkSync("..", join(dir, name));
}

/** The gate over a committed link tree stops at the walk bound (exit 2, named), never hangs. */
function assertGateStopsWalking(root: string, name: string): void {
  const run = gatehouse(["gate"], root, { timeoutMs: 60_000 });
  assert.not.ok(run.timedOut, `${name}: the gate hung walking the links`);
  assert.is(run.code, 2, `${name}: ${run.stdout}${run.stderr}`);
  assert.match(run.stderr, /the walk passed 100000 directories/, name);
}

test("issue 14.13: the pack's required-heading walk over committed links that lead to the same directories again and again stops with exit 2 (team-standard's docs/changes/**, or a glob the repo-local file adds), instead of hanging the gate", () => {
  const cases: Record<string, Record<string, string>> = {
    "team-standard's docs/changes/**/*.md": { "gatehouse.config.yaml": "version: 1\npack:\n  use: team-standard@1.0\n" },
    "a glob of the repo-local file": {
      "gatehouse.config.yaml": "version: 1\npack:\n  use: default@1.0\n",
      ".gatehouse/policy.yaml": "version: 1\nrequirements:\n  headings:\n    - glob: \"notes/**/*.md\"\n      headings: [Summary]\n",
    },
  };
  for (const [name, files] of Object.entries(cases)) {
    const root = repo("tenth-heading-links", { "README.md": "# x\n\n## Usage\n", ...files });
    try {
      linkTree(join(root, name.startsWith("team") ? "docs/changes/d" : "notes/d"));
      assertGateStopsWalking(root, name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test("issue 14.12: a document the required-heading check reads through a link out of the repository is refused (it denies), not read as the repository's", () => {
  const outside = repo("tenth-heading-outside", { "change.md": "# c\n\n## Verification\n\n## Rollback\n\n## Definition of Done\n" });
  const root = repo("tenth-heading-link", {
    "gatehouse.config.yaml": "version: 1\npack:\n  use: team-standard@1.0\n",
    "README.md": "# x\n\n## Usage\n",
    "docs/changes/0001.md": "# c\n\n## Verification\n\n## Rollback\n\n## Definition of Done\n",
  });
  try {
    const run = gatehouse(["gate", "--format", "json"], root, { timeoutMs: 60_000 });
    const headingFindings = (JSON.parse(run.stdout) as { findings: { code: string }[] }).findings.filter((f) => f.code === "pack/required-heading-missing");
    assert.equal(headingFindings, [], run.stdout);
    symlinkSync(join(outside, "change.md"), join(root, "docs/changes/0002.md"));
    const linked = gatehouse(["gate"], root, { timeoutMs: 60_000 });
    assert.is(linked.code, 1, linked.stdout + linked.stderr);
    assert.match(linked.stdout, /FAIL docs\/changes\/0002\.md \[pack\/required-heading-missing\] .*outside its root/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test("issue 14.13: the receipts collector's receipt and manifest globs over a committed link tree stop the gate with exit 2, instead of hanging it", () => {
  const configs: Record<string, string> = {
    receipts: 'version: 1\ncollectors:\n  receipts: {}\npromotion:\n  receipts: ["runs/**/*.receipt.json"]\n',
    manifests: 'version: 1\ncollectors:\n  receipts: {}\npromotion:\n  receipts: ["x.receipt.json"]\n  manifests: ["runs/**/*.manifest.json"]\n',
  };
  for (const [name, config] of Object.entries(configs)) {
    const root = repo("tenth-receipt-links", { "gatehouse.config.yaml": config, "x.receipt.json": "{}\n" });
    try {
      linkTree(join(root, "runs/d"));
      assertGateStopsWalking(root, name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test("issue 14.4: a second config file beside the project's (gatehouse.config.yaml next to the reviewed .yml, or a .json) is refused (exit 2, naming both), instead of silently taking over the pack", () => {
  const reviewed = 'version: 1\npack:\n  use: team-standard@1.0\ncollectors:\n  files:\n    - glob: "*.json"\n      namespace: main\n';
  for (const [kept, added] of [["gatehouse.config.yml", "gatehouse.config.yaml"], ["gatehouse.config.json", "gatehouse.config.yml"]] as const) {
    const root = repo("tenth-two-configs", { [kept]: kept.endsWith(".json") ? JSON.stringify({ version: 1, pack: { use: "team-standard@1.0" } }) : reviewed, [added]: "version: 1\npack:\n  use: beginner-guided@1.0\ncollectors: {}\n" });
    try {
      execFileSync("git", ["init", "-q"], { cwd: root });
      for (const args of [["gate"], ["policy", "effective"], ["gate", "--root", "."]]) {
        const run = gatehouse(args, root, { timeoutMs: 60_000 });
        assert.is(run.code, 2, `${args.join(" ")} (${kept} + ${added}): ${run.stdout}${run.stderr}`);
        assert.ok(run.stderr.includes(kept) && run.stderr.includes(added) && /keep one config file/.test(run.stderr), run.stderr);
      }
      // --config names one on purpose.
      const named = gatehouse(["policy", "effective", "--config", added], root, { timeoutMs: 60_000 });
      assert.is(named.code, 0, named.stdout + named.stderr);
      assert.match(named.stdout, /beginner-guided/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test("issue 14.3 (contracts): a removed Python function is not disguised as a deprecation by a __getattr__ that only names it (a branch that raises, returns None, a comment, a condition that never holds): BREAKING, and the gate denies", () => {
  const base = "def fetch(url, timeout=5):\n    return url\n\n\ndef other(x):\n    return x\n";
  const disguises: Record<string, string> = {
    "a branch that raises": 'def __getattr__(name):\n    if name == "fetch":\n        raise AttributeError(name)\n    raise AttributeError(name)\n',
    "a branch that returns None": 'def __getattr__(name):\n    if name == "fetch":\n        return None\n    raise AttributeError(name)\n',
    "a comment": 'def __getattr__(name):\n    # if name == "fetch": return fetch\n    raise AttributeError(name)\n',
    "a string": 'def __getattr__(name):\n    """name == \'fetch\' was served here"""\n    raise AttributeError(name)\n',
    "a condition that never holds": 'def __getattr__(name):\n    if name == "fetch" and False:\n        return other\n    raise AttributeError(name)\n',
    "a bare return": 'def __getattr__(name):\n    if name in ("fetch", "get"):\n        return\n    raise AttributeError(name)\n',
  };
  for (const [name, hook] of Object.entries(disguises)) {
    const { root } = committedRepo("tenth-getattr", { "gatehouse.config.yaml": "version: 1\npack:\n  use: team-standard@1.0\ncollectors:\n  contracts: {}\n", "README.md": "# x\n\n## Usage\n", "pkg/__init__.py": base });
    try {
      assert.is(gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 }).code, 0);
      writeFileSync(join(root, "pkg/__init__.py"), `def other(x):\n    return x\n\n\n${hook}`);
      const diff = gatehouse(["contracts", "diff"], root, { timeoutMs: 60_000 });
      assert.match(diff.stdout, /BREAKING contracts\/symbol-removed\s+pkg\/__init__\.py#fetch was removed/, `${name}: ${diff.stdout}${diff.stderr}`);
      const gate = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(gate.code, 1, `${name}: ${gate.stdout}${gate.stderr}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  // A branch that returns the definition under its new name still reads as a deprecation.
  const { root } = committedRepo("tenth-getattr-served", { "pkg/__init__.py": base });
  try {
    assert.is(gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 }).code, 0);
    writeFileSync(join(root, "pkg/__init__.py"), `${base.replace("def fetch", "def _fetch")}\n\ndef __getattr__(name):\n    if name == "fetch":\n        return _fetch\n    raise AttributeError(name)\n`);
    const diff = gatehouse(["contracts", "diff"], root, { timeoutMs: 60_000 });
    assert.match(diff.stdout, /RISKY\s+contracts\/stability-downgraded\s+pkg\/__init__\.py#fetch/, diff.stdout + diff.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.12: the repository's pack files, contract registry and decisions are read inside the root: a committed link out of it (to a runner's file) is refused, not used as the repository's", () => {
  const outside = repo("tenth-outside-files", {
    "waivers.yaml": "version: 1\nwaivers:\n  - code: pack/required-file-missing\n    target: { file: NOTES.md }\n    reason: written elsewhere\n    owner: alice\n    expires: 2099-01-01\n",
    "answers.yaml": "version: 1\nanswers:\n  release-channel: { value: stable, answered_at: 2026-01-01T00:00:00Z }\n  on-call: { value: rotation, answered_at: 2026-01-01T00:00:00Z }\n",
    "policy.yaml": "version: 1\nrules:\n  pack/waiver-unmatched: { severity: error }\n",
    "registry.json": "{}\n",
    "decision.json": "{}\n",
  });
  const root = repo("tenth-inside-root", {
    "gatehouse.config.yaml": "version: 1\npack:\n  use: team-standard@1.0\n  overrides:\n    requirements:\n      files: [NOTES.md]\ncollectors:\n  contracts: {}\n",
    "README.md": "# x\n\n## Usage\n",
    "src/index.ts": "export function f(a: string): string {\n  return a;\n}\n",
  });
  try {
    mkdirSync(join(root, ".gatehouse"));
    mkdirSync(join(root, "contracts/decisions"), { recursive: true });
    symlinkSync(join(outside, "waivers.yaml"), join(root, ".gatehouse/waivers.yaml"));
    symlinkSync(join(outside, "answers.yaml"), join(root, ".gatehouse/clarifications.yaml"));
    symlinkSync(join(outside, "policy.yaml"), join(root, ".gatehouse/policy.yaml"));
    symlinkSync(join(outside, "decision.json"), join(root, "contracts/decisions/d-1.json"));
    const run = gatehouse(["gate", "--format", "json"], root, { timeoutMs: 120_000, env: { GATEHOUSE_NOW: "2026-06-01T00:00:00Z" } });
    assert.is(run.code, 1, run.stdout + run.stderr);
    const findings = (JSON.parse(run.stdout) as { findings: { code: string; message: string; suppressed?: unknown }[] }).findings;
    const outsideRoot = (code: string) => findings.some((f) => f.code === code && /outside its root/.test(f.message));
    assert.ok(outsideRoot("pack/waiver-invalid"), `waivers: ${run.stdout}`);
    assert.ok(outsideRoot("pack/clarifications-invalid"), `clarifications: ${run.stdout}`);
    assert.ok(outsideRoot("pack/override-invalid"), `override: ${run.stdout}`);
    assert.ok(outsideRoot("contracts/decision-invalid"), `decision: ${run.stdout}`);
    assert.not.ok(findings.some((f) => f.code === "pack/required-file-missing" && f.suppressed), "the waiver from outside suppressed a finding");
    // The registry: a link out of the root is not the repository's registry (exit 2, named).
    symlinkSync(join(outside, "registry.json"), join(root, "contracts/registry.json"));
    const registry = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(registry.code, 2, registry.stdout + registry.stderr);
    assert.match(registry.stderr, /contract registry: .*outside its root/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test("issue 14.8: look-alike punctuation and letter pairs are not a second person (a dash for the hyphen, a curly quote for the apostrophe, rn for m, vv for w, cl for d)", () => {
  const cases: [string, string, string][] = [
    ["U+2010 HYPHEN", "ops-bot", "ops\u2010bot"],
    ["U+2011 NON-BREAKING HYPHEN", "ops-bot", "ops\u2011bot"],
    ["U+2013 EN DASH", "ops-bot", "ops\u2013bot"],
    ["U+2212 MINUS SIGN", "ops-bot", "ops\u2212bot"],
    ["U+2019 for the apostrophe", "o'brien", "o\u2019brien"],
    ["rn for m", "mary", "rnary"],
    ["vv for w", "wendy", "vvendy"],
    ["cl for d", "dana", "clana"],
  ];
  const root = repo("tenth-identities", {});
  try {
    mkdirSync(join(root, ".git"));
    for (const [what, requester, approver] of cases) {
      writeFileSync(join(root, "entry.json"), JSON.stringify({ ...SIGNED_OFF_ENTRY, requested_by: requester, approved_by: approver }));
      const run = gatehouse(["ledger", "append", "entry.json", "--root", root], root);
      assert.is(run.code, 1, `${what}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /\[ops\/self-approval\]/, what);
    }
    writeFileSync(join(root, "entry.json"), JSON.stringify({ ...SIGNED_OFF_ENTRY, requested_by: "jean-luc", approved_by: "o'brien" }));
    assert.is(gatehouse(["ledger", "append", "entry.json", "--root", root], root).code, 0, "two people, plainly written, pass");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.9: a private key filled in between the unchanged BEGIN and END lines of a committed placeholder is a secret on a changed line (only a secret's first line used to count)", () => {
  const key = execFileSync("openssl", ["genrsa", "-traditional", "2048"], { stdio: ["ignore", "pipe", "ignore"], encoding: "utf8" });
  const body = key.split("\n").slice(1, -2);
  const { root } = committedRepo("tenth-key-placeholder", {
    "gatehouse.config.yaml": SECURITY_CONFIG,
    "config/tls.yaml": "tls:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    REPLACE_ME\n    -----END RSA PRIVATE KEY-----\n",
  });
  try {
    writeFileSync(join(root, "config/tls.yaml"), `tls:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n${body.map((line) => `    ${line}\n`).join("")}    -----END RSA PRIVATE KEY-----\n`);
    const run = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /FAIL config\/tls\.yaml:3 \[security\/secret-in-change\]/);
    // A change elsewhere in the file leaves the placeholder alone: nothing to find.
    writeFileSync(join(root, "config/tls.yaml"), "tls:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    REPLACE_ME\n    -----END RSA PRIVATE KEY-----\nport: 443\n");
    assert.is(gatehouse(["gate"], root, { timeoutMs: 120_000 }).code, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.3 (contracts): a changed method of an exported object literal (export const api = {…}, export default {…}) is a contract change, not an unseen one (syntax mode recorded the object without its members)", () => {
  const before = "export const api = {\n  fetch(url: string, timeout: number): string {\n    return url;\n  },\n  retry: (times: number) => times,\n  limits: { max: 5 },\n};\nexport default {\n  get(id: string): string {\n    return id;\n  },\n};\n";
  const changes: Record<string, [string, RegExp]> = {
    "a method's parameter removed": [before.replace("url: string, timeout: number", "url: string"), /BREAKING\s+contracts\/param-removed\s+tenth#api\.fetch: parameter timeout was removed/],
    "an arrow property's parameter type": [before.replace("(times: number) => times", "(times: string) => times"), /BREAKING\s+contracts\/param-type-changed\s+tenth#api\.retry/],
    "a method of the default export": [before.replace("get(id: string)", "get(id: number)"), /BREAKING\s+contracts\/param-type-changed\s+tenth#default\.get/],
    "a member removed": [before.replace("  retry: (times: number) => times,\n", ""), /BREAKING\s+contracts\/symbol-removed\s+tenth#api\.retry/],
    "a nested member removed": [before.replace("{ max: 5 }", "{}"), /BREAKING\s+contracts\/symbol-removed\s+tenth#api\.limits\.max/],
  };
  for (const [name, [after, expected]] of Object.entries(changes)) {
    const { root } = committedRepo("tenth-object-literal", {
      "package.json": JSON.stringify({ name: "tenth", version: "1.0.0", types: "src/index.ts", main: "src/index.ts" }),
      "gatehouse.config.yaml": "version: 1\npack:\n  use: team-standard@1.0\ncollectors:\n  contracts: {}\n",
      "README.md": "# x\n\n## Usage\n",
      "src/index.ts": before,
    });
    try {
      assert.is(gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 }).code, 0, name);
      writeFileSync(join(root, "src/index.ts"), after);
      const diff = gatehouse(["contracts", "diff"], root, { timeoutMs: 60_000 });
      assert.match(diff.stdout, expected, `${name}: ${diff.stdout}${diff.stderr}`);
      const gate = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(gate.code, 1, `${name}: ${gate.stdout}${gate.stderr}`);
      assert.match(gate.stdout, /\[contracts\/[a-z-]+\] .*tenth#(api|default)\./, name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test.run();
