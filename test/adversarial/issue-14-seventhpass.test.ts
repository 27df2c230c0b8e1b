// Issue 14, the seventh adversarial pass: what a fresh pass over the installed CLI found. Each case
// runs the real CLI in a bounded child process and failed open or exited 0 on nothing done on the
// main the pass started from.

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codesOf, failLinesOf, gatehouse, withRepo } from "./harness.js";

const PRIVILEGED_INI = 'package main\n\ndeny contains sprintf("%s is privileged", [name]) if {\n\tsome name, section in input\n\tsection.privileged == true\n}\n';
const REPEATED = "set more than once with different values: conftest's ini parser keeps only the last one, other INI readers the first or all of them; set each key once";

test("issue 14.1: INI keys conftest's parser drops (before the first [section], under [DEFAULT]) are judged under \"DEFAULT\"; a key it overwrites (set twice, in one section or a repeated one) is refused, never judged without it", () => {
  withRepo("seventhpass-ini", {
    "policy/main.rego": PRIVILEGED_INI,
    "top.ini": "privileged = true\n[web]\nport = 80\n",
    "default.ini": "[DEFAULT]\nprivileged = true\n[web]\nport = 80\n",
    "both.ini": "mode = x\n[DEFAULT]\nprivileged = true\n[web]\nport = 80\n",
    "twice.ini": "[web]\nprivileged = true\nprivileged = false\n",
    "emptied.ini": "[web]\nprivileged = true\nprivileged =\n",
    "reopened.ini": "[web]\nprivileged = true\n[db]\nport = 5432\n[web]\nprivileged = false\n",
    // What stays allowed: a [default] section is a section (go-ini is case-sensitive), a key set
    // twice to the same value loses nothing, a repeated section with new keys merges.
    "lower.ini": "[default]\nprivileged = true\n",
    "same.ini": "[web]\nprivileged = false\nprivileged = false\n[web]\nport = 80\n",
    "clean.ini": "; comment\n[web]\nport = 80\nprivileged = false\n",
  }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "top.ini", "default.ini", "both.ini", "twice.ini", "emptied.ini", "reopened.ini", "lower.ini", "same.ini", "clean.ini"], root, { timeoutMs: 120_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    const lines = failLinesOf(run.stdout);
    assert.equal(lines, [
      "FAIL both.ini [main.deny] DEFAULT is privileged",
      "FAIL default.ini [main.deny] DEFAULT is privileged",
      `FAIL emptied.ini [input/unparsable] ini: "privileged" in [web] ${REPEATED}`,
      "FAIL lower.ini [main.deny] default is privileged",
      `FAIL reopened.ini [input/unparsable] ini: "privileged" in [web] ${REPEATED}`,
      "FAIL top.ini [main.deny] DEFAULT is privileged",
      `FAIL twice.ini [input/unparsable] ini: "privileged" in [web] ${REPEATED}`,
    ]);
    // --parser ini and stdin go through the same reading.
    const forced = gatehouse(["check", "--policy", "policy", "--parser", "ini", "-"], root, { timeoutMs: 120_000, stdin: "privileged = true\n[web]\nport = 80\n" });
    assert.is(forced.code, 1, forced.stdout + forced.stderr);
    assert.equal(failLinesOf(forced.stdout), ["FAIL - [main.deny] DEFAULT is privileged"]);
    // Typed as conftest types every other section's values.
    const parsed = gatehouse(["parse", "both.ini", "same.ini"], root, { timeoutMs: 120_000 });
    assert.is(parsed.code, 0, parsed.stdout + parsed.stderr);
    assert.equal(JSON.parse(parsed.stdout), {
      "both.ini": { DEFAULT: { mode: "x", privileged: true }, web: { port: 80 } },
      "same.ini": { web: { port: 80, privileged: false } },
    });
  });
});

test("issue 14.1: a JSONC object that sets a key twice (conftest keeps the last, as gatehouse's JSON reader refuses) and EDN keys conftest prints as one string (:a and \":a\", 1 and \"1\": the survivor changes from run to run) are refused", () => {
  withRepo("seventhpass-jsonc-edn", {
    "policy/main.rego": 'package main\n\ndeny contains "privileged" if input.a.privileged == true\n\ndeny contains "edn privileged" if input[":privileged"] == "true"\n',
    "twice.jsonc": '{"a": {"privileged": true, /* later */ "privileged": false}, "l": [{"k": 1, "k": 2}]}\n',
    "clean.jsonc": '{"a": {"privileged": false}, // c\n "b": {"privileged": true}}\n',
    "keyword-string.edn": '{:privileged true ":privileged" false}\n',
    "number-string.edn": '{:a {1 true "1" false}}\n',
    "clean.edn": "{:privileged true}\n",
  }, (root) => {
    const jsonc = gatehouse(["check", "--policy", "policy", "--parser", "jsonc", "twice.jsonc", "clean.jsonc"], root, { timeoutMs: 120_000 });
    assert.is(jsonc.code, 1, jsonc.stdout + jsonc.stderr);
    assert.equal(failLinesOf(jsonc.stdout), [
      "FAIL twice.jsonc [input/unparsable] jsonc: \"/a/privileged\", \"/l/0/k\" set more than once in one object: conftest's jsonc parser keeps only the last value, so a policy would judge one of them; set each key once",
    ]);
    const edn = gatehouse(["check", "--policy", "policy", "keyword-string.edn", "number-string.edn", "clean.edn"], root, { timeoutMs: 120_000 });
    assert.is(edn.code, 1, edn.stdout + edn.stderr);
    const why = "distinct EDN keys that conftest's edn parser prints as one string, so only one of their values (which one changes from run to run) would reach a policy; use keys that differ as text";
    assert.equal(failLinesOf(edn.stdout), [
      "FAIL clean.edn [main.deny] edn privileged",
      `FAIL keyword-string.edn [input/unparsable] edn: 2 keys read as ":privileged" at the top: ${why}`,
      `FAIL number-string.edn [input/unparsable] edn: 2 keys read as "1" at /:a: ${why}`,
    ]);
  });
});

test("issue 14.1: XML conftest's parser reads only in part is refused: text split by a comment, a CDATA section or a child element (only the last piece reached the policy), and a malformed part (a DTD entity: everything after it was dropped without an error)", () => {
  withRepo("seventhpass-xml", {
    "policy/main.rego": 'package main\n\ndeny contains "privileged" if input.a.privileged == "true"\n\ndeny contains "late" if input.a.late == "yes"\n',
    "comment.xml": "<a><privileged>tr<!-- x -->ue</privileged></a>\n",
    "cdata.xml": "<a><privileged>tr<![CDATA[ue]]></privileged></a>\n",
    "mixed.xml": "<a>true<b/>\n<privileged>false</privileged></a>\n",
    "entity.xml": '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY t "x">]>\n<a><p>&t;</p><late>yes</late></a>\n',
    // What stays allowed: indentation around children, attributes, predefined and numeric
    // entities, one CDATA section after blank text.
    "clean.xml": '<a>\n  <b x="1">2</b>\n  <privileged>tr&#117;e</privileged>\n  <c>  <![CDATA[a&b]]></c>\n</a>\n',
  }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "comment.xml", "cdata.xml", "mixed.xml", "entity.xml", "clean.xml"], root, { timeoutMs: 120_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    const split = (path: string) => `the text of ${path} is split by a comment, a CDATA section or a child element: conftest's xml parser keeps only the last part, so a policy would judge other text than the file holds; write each element's text in one piece`;
    assert.equal(failLinesOf(run.stdout), [
      `FAIL cdata.xml [input/unparsable] xml: ${split("a/privileged")}`,
      "FAIL clean.xml [main.deny] privileged",
      `FAIL comment.xml [input/unparsable] xml: ${split("a/privileged")}`,
      "FAIL entity.xml [input/unparsable] xml: XML syntax error on line 3: invalid character entity &t;: conftest's xml parser stops reading here without an error and judges only what came before; fix the XML",
      `FAIL mixed.xml [input/unparsable] xml: ${split("a")}`,
    ]);
  });
});

const TEAM = "version: 1\npack:\n  use: team-standard@1.0\ncollectors:\n  security:\n    maxFileBytes: 1024\n";
const UNSCANNED = /FAIL logs\/big\.log \[security\/change-unscanned\] logs\/big\.log \(untracked\): not reviewed, too-large: 4096 bytes, over the 1024-byte limit/;
const LOCK = "a change the security review could not read: what was not read cannot be shown free of secrets";

test("issue 14.3: security/change-unscanned (a changed file the review could not read) is locked: a waiver for it and a repo-local override lowering or disabling it are refused, the finding still denies", () => {
  withRepo("seventhpass-unscanned", { "gatehouse.config.yaml": TEAM, "README.md": "# x\n" }, (root) => {
    for (const args of [["init", "-q"], ["config", "user.email", "dev@example.com"], ["config", "user.name", "dev"], ["add", "-A"], ["commit", "-qm", "base", "--no-gpg-sign"]]) execFileSync("git", args, { cwd: root });
    assert.equal(codesOf(gatehouse(["clarify", "release-channel", "internal"], root, { timeoutMs: 90_000 }).stdout).length, 0);
    mkdirSync(join(root, "logs"));
    writeFileSync(join(root, "logs", "big.log"), "x".repeat(4096));
    const plain = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(plain.code, 1, plain.stdout + plain.stderr);
    assert.match(plain.stdout, UNSCANNED);
    mkdirSync(join(root, ".gatehouse"), { recursive: true });
    writeFileSync(join(root, ".gatehouse", "waivers.yaml"), "version: 1\nwaivers:\n  - code: security/change-unscanned\n    target: { file: logs/big.log }\n    reason: too big to scan\n    owner: alice\n    expires: 2026-12-30\n");
    const waived = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(waived.code, 1, waived.stdout + waived.stderr);
    assert.match(waived.stdout, UNSCANNED);
    assert.not.match(waived.stdout, /WAIVED logs\/big\.log/);
    assert.ok(waived.stdout.includes(`[pack/waiver-invalid] .gatehouse/waivers.yaml: waiver #1 (security/change-unscanned, file logs/big.log, owner alice) waives security/change-unscanned, a locked code (${LOCK}) that no waiver can suppress`), waived.stdout);
    rmSync(join(root, ".gatehouse", "waivers.yaml"));
    for (const setting of ["{ severity: warning }", "{ enabled: false }"]) {
      writeFileSync(join(root, ".gatehouse", "policy.yaml"), `version: 1\nrules:\n  security/change-unscanned: ${setting}\n`);
      const overridden = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(overridden.code, 1, overridden.stdout + overridden.stderr);
      assert.match(overridden.stdout, UNSCANNED);
      assert.ok(overridden.stdout.includes(`[pack/override-loosens] .gatehouse/policy.yaml: rule security/change-unscanned is locked in every pack (${LOCK}) and cannot be lowered, disabled or unlocked; the file was not applied`), overridden.stdout);
    }
    rmSync(join(root, ".gatehouse", "policy.yaml"));
    // The trusted config cannot lower it either: a configuration error (exit 2), not an ALLOW.
    writeFileSync(join(root, "gatehouse.config.yaml"), `${TEAM}  overrides: {}\n`.replace("pack:\n  use: team-standard@1.0\n", "pack:\n  use: team-standard@1.0\n  overrides:\n    rules:\n      security/change-unscanned: { severity: warning }\n").replace("  overrides: {}\n", ""));
    const configured = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(configured.code, 2, configured.stdout + configured.stderr);
    assert.match(configured.stderr, /security\/change-unscanned/);
  });
});

test("issue 14 (exit codes): parse with nothing to parse (an empty directory, one of only unclaimed files, with --combine) is gate/no-inputs with exit 1, as check denies it, not an empty exit 0", () => {
  withRepo("seventhpass-parse-empty", { "unclaimed/notes.unknownext": "x\n", "policy/main.rego": 'package main\n\ndeny contains "x" if input.x\n' }, (root) => {
    mkdirSync(join(root, "empty"));
    for (const args of [["empty"], ["unclaimed"], ["--combine", "empty", "unclaimed"]]) {
      const run = gatehouse(["parse", ...args], root, { timeoutMs: 90_000 });
      assert.is(run.code, 1, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
      assert.is(run.stdout, "");
      const named = args.filter((a) => !a.startsWith("--")).join(", ");
      assert.is(run.stderr, `gate/no-inputs: no inputs to parse: nothing under ${named} is a file a parser claims (--parser NAME picks one for a named file)\n`);
      const checked = gatehouse(["check", "--policy", "policy", ...args], root, { timeoutMs: 90_000 });
      assert.is(checked.code, 1, checked.stdout + checked.stderr);
      assert.equal(codesOf(checked.stdout), ["gate/no-inputs"]);
    }
  });
});

test("issue 14.1 (zero evaluated): --combine over nothing (an empty directory, only unclaimed files) or over files holding no document (`[]`) denied nothing and ALLOWed an empty Combined list; it is gate/no-inputs or gate/zero-rules now, in check and parse", () => {
  withRepo("seventhpass-combine-empty", {
    "unclaimed/notes.unknownext": "x\n",
    "policy/main.rego": 'package main\n\ndeny contains "privileged" if { some entry in input; entry.contents.privileged }\n',
    "none.json": "[]\n",
    "also-none.json": "[]\n",
    "empty.yaml": "",
    "pod.json": '{"privileged": true}\n',
  }, (root) => {
    mkdirSync(join(root, "empty"));
    const nothing = gatehouse(["check", "--policy", "policy", "--combine", "empty", "unclaimed"], root, { timeoutMs: 90_000 });
    assert.is(nothing.code, 1, nothing.stdout + nothing.stderr);
    assert.equal(codesOf(nothing.stdout), ["gate/no-inputs"]);
    const lists = gatehouse(["check", "--policy", "policy", "--combine", "none.json", "also-none.json"], root, { timeoutMs: 90_000 });
    assert.is(lists.code, 1, lists.stdout + lists.stderr);
    assert.match(lists.stdout, /^FAIL Combined \[gate\/zero-rules\] the combined input is an empty list \(no document in none\.json, also-none\.json\): nothing was evaluated$/m);
    assert.equal(codesOf(lists.stdout), ["gate/zero-rules"]);
    // A refused file beside them denies on its own (no empty Combined is evaluated).
    const refused = gatehouse(["check", "--policy", "policy", "--combine", "none.json", "empty.yaml"], root, { timeoutMs: 90_000 });
    assert.is(refused.code, 1, refused.stdout + refused.stderr);
    assert.equal(codesOf(refused.stdout), ["input/not-a-document"]);
    // With a document in it, the combined input is evaluated as before.
    const real = gatehouse(["check", "--policy", "policy", "--combine", "none.json", "pod.json"], root, { timeoutMs: 90_000 });
    assert.is(real.code, 1, real.stdout + real.stderr);
    assert.match(real.stdout, /^FAIL Combined \[main\.deny\] privileged$/m);
    const parsed = gatehouse(["parse", "--combine", "none.json"], root, { timeoutMs: 90_000 });
    assert.is(parsed.code, 1, parsed.stdout + parsed.stderr);
    assert.is(parsed.stdout, "");
    assert.is(parsed.stderr, "Combined: gate/zero-rules: the combined input is an empty list (no document in none.json): nothing was evaluated\n");
  });
});

test.run();
