// Issue 14, thirteenth pass (inputs and the conftest-compatible CLI): regressions for the holes
// this pass found, each compared with conftest 0.71.1 (.toolchain/bin/conftest).

import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, withRepo } from "./harness.js";

test("issue 14 (thirteenth pass): an exception names a rule as conftest's removeRulePrefix does (violation_, deny_, warn_ removed in that order): `exception contains [\"warn_x\"]` suppressed deny_warn_x and [\"deny_y\"] violation_deny_y, which conftest reports (ALLOW where it denies); [\"x\"] excepts deny_warn_x as in conftest", () => {
  withRepo(
    "rt13-exception-names",
    {
      "policy/p.rego": [
        "package main",
        "import rego.v1",
        'deny_warn_x contains "dw" if true',
        'violation_deny_y contains "vd" if true',
        'deny_z contains "dz" if true',
        'exception contains ["warn_x", "deny_y"] if true',
        "",
      ].join("\n"),
      "policy/q.rego": ["package other", "import rego.v1", 'deny_warn_x contains "dw" if true', 'exception contains ["x"] if true', ""].join("\n"),
      "in.json": "{}\n",
    },
    (dir) => {
      const wrongNames = gatehouse(["check", "in.json"], dir);
      assert.is(wrongNames.code, 1, wrongNames.stdout + wrongNames.stderr);
      assert.equal(failLinesOf(wrongNames.stdout), ["FAIL in.json [main.deny_warn_x] dw", "FAIL in.json [main.deny_z] dz", "FAIL in.json [main.violation_deny_y] vd"]);
      const conftestName = gatehouse(["check", "-n", "other", "in.json"], dir);
      assert.is(conftestName.code, 0, conftestName.stdout + conftestName.stderr);
      assert.match(conftestName.stdout, /EXCEPTION in\.json \[other\.deny_warn_x\] dw/);
    },
  );
});

test("issue 14 (thirteenth pass): --namespace globs are Go's path.Match: `main[!x]` is the class of ! and x (conftest evaluates mainx and denies; it was read as a negation, evaluated main1 and allowed), `\\]` escapes in a class, and a malformed pattern is a usage error (exit 2)", () => {
  withRepo(
    "rt13-namespace-glob",
    {
      "policy/x.rego": 'package mainx\nimport rego.v1\ndeny contains "x denies" if true\n',
      "policy/one.rego": 'package main1\nimport rego.v1\ndeny contains "1 denies" if false\n',
      "in.json": "{}\n",
    },
    (dir) => {
      for (const pattern of ["main[!x]", "main[\\]x]", "main[x-x]"]) {
        const r = gatehouse(["check", "-n", pattern, "in.json"], dir);
        assert.is(r.code, 1, `${pattern}: ${r.stdout}${r.stderr}`);
        assert.equal(failLinesOf(r.stdout), ["FAIL in.json [mainx.deny] x denies"], pattern);
      }
      const negated = gatehouse(["check", "-n", "main[^x]", "in.json"], dir);
      assert.is(negated.code, 0, negated.stdout + negated.stderr);
      for (const pattern of ["main[", "main[a-]", "main[]", "main*\\"]) {
        const r = gatehouse(["check", "-n", pattern, "in.json"], dir);
        assert.is(r.code, 2, `${pattern}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /syntax error in pattern/, pattern);
      }
    },
  );
});

const DATA_POLICY = [
  "package main",
  "import rego.v1",
  'deny contains "mode 511" if data.mode == 511',
  'deny contains "a thousand" if data.n == 1000',
  'deny contains "key 511" if data.keys["511"]',
  "",
].join("\n");

test("issue 14 (thirteenth pass): a --data YAML value OPA's loader (go-yaml v3, what conftest loads data with) reads otherwise (0777 is 511, 1_000 is 1000, 0b1, a key 0777 is \"511\") is refused naming the line (exit 2); it was read as 777 and \"1_000\", so the deny conftest reports never fired (exit 0)", () => {
  withRepo(
    "rt13-data-yaml",
    {
      "policy/p.rego": DATA_POLICY,
      "in.json": "{}\n",
      "octal.yaml": "mode: 0777\n",
      "underscore.yml": "n: 1_000\n",
      "key.yaml": "keys:\n  0777: true\n",
      "tagged.yaml": "mode: !!int \"0777\"\n",
      "agreed.yaml": "mode: 0o777\nn: 1000\nflags: [yes, on, y, 0x1F, 1.5, '0777']\nkeys:\n  '511': true\n",
    },
    (dir) => {
      for (const [file, line] of [["octal.yaml", 1], ["underscore.yml", 1], ["key.yaml", 2], ["tagged.yaml", 1]] as const) {
        const r = gatehouse(["check", "-d", file, "in.json"], dir);
        assert.is(r.code, 2, `${file}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${file.replace(".", "\\.")}: invalid YAML: line ${line}: .*OPA's data loader \\(go-yaml v3\\)`), file);
      }
      // Values both readers agree on (yes and on are strings in go-yaml v3 too) still load and deny.
      const agreed = gatehouse(["check", "-d", "agreed.yaml", "in.json"], dir);
      assert.is(agreed.code, 1, agreed.stdout + agreed.stderr);
      assert.equal(failLinesOf(agreed.stdout), ["FAIL in.json [main.deny] a thousand", "FAIL in.json [main.deny] key 511", "FAIL in.json [main.deny] mode 511"]);
    },
  );
});

test("issue 14 (thirteenth pass): an input's scalar with a core tag (`mode: !!int 0777`, `!!int \"0777\"`, `!<tag:yaml.org,2002:int>`, a %TAG handle) is compared with conftest's reading (511) and refused (input/unparsable); js-yaml read 777 and the deny on 511 never fired (exit 0)", () => {
  withRepo(
    "rt13-tagged-input",
    {
      "policy/p.rego": 'package main\nimport rego.v1\ndeny contains "mode 511" if input.mode == 511\n',
      "plain-tag.yaml": "mode: !!int 0777\n",
      "quoted-tag.yaml": 'mode: !!int "0777"\n',
      "verbatim.yaml": "mode: !<tag:yaml.org,2002:int> 0777\n",
      "handle.yaml": "%TAG !e! tag:yaml.org,2002:\n---\nmode: !e!int 0777\n",
      "float.yaml": "mode: !!float 511\n",
    },
    (dir) => {
      for (const file of ["plain-tag.yaml", "quoted-tag.yaml", "verbatim.yaml", "handle.yaml"]) {
        const r = gatehouse(["check", file], dir);
        assert.is(r.code, 1, `${file}: ${r.stdout}${r.stderr}`);
        assert.equal(failLinesOf(r.stdout).length, 1, file);
        assert.match(failLinesOf(r.stdout)[0]!, new RegExp(`^FAIL ${file.replace(".", "\\.")} \\[input/unparsable\\] invalid YAML: line \\d: the value !!int "0777" is 777 in YAML 1\\.2, as gatehouse reads it, but 511 in YAML 1\\.1 as conftest`), file);
      }
      // A tag both read alike is judged: !!float 511 is 511 for both, and the deny fires.
      const agreed = gatehouse(["check", "float.yaml"], dir);
      assert.is(agreed.code, 1, agreed.stdout + agreed.stderr);
      assert.equal(failLinesOf(agreed.stdout), ["FAIL float.yaml [main.deny] mode 511"]);
    },
  );
});

test("issue 14 (thirteenth pass): --ignore is Go's regexp matched against conftest's text of the path: `prod\\z` does not skip prodz.json (JavaScript read \\z as z), `^bad` does not skip ./bad.json named so (it matched the shown bad.json), `bad\\Z` is a usage error as Go refuses it (exit 2; it skipped files holding Z), and a walk's path is filepath.Join's", () => {
  withRepo(
    "rt13-ignore",
    {
      "policy/p.rego": 'package main\nimport rego.v1\ndeny contains "bad" if input.bad\n',
      "prodz.json": '{"bad": true}\n',
      "bad.json": '{"bad": true}\n',
      "ok.json": "{}\n",
      "sub/s.json": '{"bad": true}\n',
    },
    (dir) => {
      const goOnly = gatehouse(["check", "--ignore", "prod\\z", "prodz.json", "ok.json"], dir);
      assert.is(goOnly.code, 1, goOnly.stdout + goOnly.stderr);
      assert.equal(failLinesOf(goOnly.stdout), ["FAIL prodz.json [main.deny] bad"]);
      const asWritten = gatehouse(["check", "--ignore", "^bad", "./bad.json", "ok.json"], dir);
      assert.is(asWritten.code, 1, asWritten.stdout + asWritten.stderr);
      assert.equal(failLinesOf(asWritten.stdout), ["FAIL bad.json [main.deny] bad"]);
      const refused = gatehouse(["check", "--ignore", "bad\\Z", "ok.json"], dir);
      assert.is(refused.code, 2, refused.stdout + refused.stderr);
      assert.match(refused.stderr, /--ignore: given regexp couldn't be parsed: .*invalid escape sequence/);
      // Held: what conftest skips is still skipped (the joined walk path, an absolute root, POSIX classes).
      const walked = gatehouse(["check", "--ignore", "^sub/s\\.json$", "./sub/", "ok.json"], dir);
      assert.is(walked.code, 0, walked.stdout + walked.stderr);
      const absolute = gatehouse(["check", "--ignore", "^/", join(dir, "sub"), "ok.json"], dir);
      assert.is(absolute.code, 0, absolute.stdout + absolute.stderr);
      const posixClass = gatehouse(["check", "--ignore", "^[[:alpha:]]{3}\\.json$", "bad.json", "ok.json"], dir);
      assert.is(posixClass.code, 0, posixClass.stdout + posixClass.stderr);
      assert.match(posixClass.stdout, /^1 input, /m);
    },
  );
});

test("issue 14 (thirteenth pass, held): --ignore under a linked directory skips a file only when the pattern matches both its path through the link and its resolved path (conftest walks the resolved one); otherwise it is judged", () => {
  withRepo(
    "rt13-ignore-link",
    {
      "policy/p.rego": 'package main\nimport rego.v1\ndeny contains "bad" if input.bad\n',
      "real/s.json": '{"bad": true}\n',
      "ok.json": "{}\n",
    },
    (dir) => {
      symlinkSync("real", join(dir, "lnk"));
      const linkOnly = gatehouse(["check", "--ignore", "^lnk/", "lnk", "ok.json"], dir);
      assert.is(linkOnly.code, 1, linkOnly.stdout + linkOnly.stderr);
      assert.equal(failLinesOf(linkOnly.stdout), ["FAIL lnk/s.json [main.deny] bad"]);
      const both = gatehouse(["check", "--ignore", "s\\.json$", "lnk", "ok.json"], dir);
      assert.is(both.code, 0, both.stdout + both.stderr);
    },
  );
});

test("issue 14 (thirteenth pass): --combine gives each file's `path` as conftest writes it (the argument as given, ./k8s/deploy.yaml; a walked file's filepath.Join); it gave the shown k8s/deploy.yaml, so a policy comparing the path conftest passes it never denied (exit 0)", () => {
  withRepo(
    "rt13-combine-path",
    {
      "policy/p.rego": [
        "package main",
        "import rego.v1",
        'deny contains sprintf("%s has one replica", [f.path]) if { some f in input; f.path == "./k8s/deploy.yaml"; f.contents.replicas < 2 }',
        'deny contains sprintf("walked %s", [f.path]) if { some f in input; f.path == "k8s/svc/svc.yaml" }',
        "",
      ].join("\n"),
      "k8s/deploy.yaml": "replicas: 1\n",
      "k8s/svc/svc.yaml": "port: 80\n",
    },
    (dir) => {
      const r = gatehouse(["check", "--combine", "./k8s/deploy.yaml", "./k8s/svc/"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), ["FAIL Combined [main.deny] ./k8s/deploy.yaml has one replica", "FAIL Combined [main.deny] walked k8s/svc/svc.yaml"]);
      const parsed = gatehouse(["parse", "--combine", "./k8s/deploy.yaml"], dir);
      assert.is(parsed.code, 0, parsed.stderr);
      assert.equal(JSON.parse(parsed.stdout), [{ contents: { replicas: 1 }, path: "./k8s/deploy.yaml" }]);
    },
  );
});

test("issue 14 (thirteenth pass): a number a double does not keep (9007199254740993, 0.10000000000000000001, 1e400) is refused in a .json input (conftest reads a float64, the wasm read the text exactly: `n < 9007199254740993` passed), in a YAML input's integer (conftest keeps it exactly, gatehouse a double) and in a --data file (OPA keeps it exactly); numbers both hold alike are judged", () => {
  withRepo(
    "rt13-number-precision",
    {
      "policy/p.rego": [
        "package main",
        "import rego.v1",
        'deny contains "n below" if input.n < 9007199254740993',
        'deny contains "f is 0.1" if input.f == 0.1',
        'deny contains "data limit" if data.limit < 9007199254740993',
        'deny contains "big" if input.big == 9007199254740992',
        "",
      ].join("\n"),
      "int.json": '{"n": 9007199254740993}\n',
      "dec.json": '{"f": 0.10000000000000000001}\n',
      "huge.json": '{"f": 1e400}\n',
      "int.yaml": "n: 9007199254740993\n",
      "int.toml": "n = 9007199254740993\n",
      "in.json": "{}\n",
      "limit.json": '{"limit": 9007199254740993}\n',
      "held.json": '{"f": 0.1, "big": 9007199254740992, "e": 1.5e3, "n": 9007199254740994}\n',
    },
    (dir) => {
      for (const file of ["int.json", "dec.json", "huge.json"]) {
        const r = gatehouse(["check", file], dir);
        assert.is(r.code, 1, `${file}: ${r.stdout}${r.stderr}`);
        assert.equal(failLinesOf(r.stdout).length, 1, file);
        assert.match(failLinesOf(r.stdout)[0]!, new RegExp(`^FAIL ${file.replace(".", "\\.")} \\[input/unparsable\\] invalid JSON: the number \\S+ is \\S+ as a double, not the value written`), file);
      }
      const yaml = gatehouse(["check", "int.yaml"], dir);
      assert.is(yaml.code, 1, yaml.stdout + yaml.stderr);
      assert.equal(failLinesOf(yaml.stdout), ["FAIL int.yaml [input/unparsable] invalid YAML: line 1: the integer 9007199254740993 is 9007199254740993 in YAML 1.1 as conftest and Kubernetes read it, but 9007199254740992 as gatehouse holds it (a double): readers would judge different numbers; write fewer digits, or quote it"]);
      // A format conftest's Go parser reads (TOML keeps int64s): the document came back through JSON.parse, rounded.
      const toml = gatehouse(["check", "int.toml"], dir);
      assert.is(toml.code, 1, toml.stdout + toml.stderr);
      assert.equal(failLinesOf(toml.stdout), ["FAIL int.toml [input/unparsable] toml: the number at /n is 9007199254740992, past 2^53: conftest holds such an integer exactly (TOML, CUE...), gatehouse as a double, so readers could judge different numbers; write fewer digits, or a string"]);
      const data = gatehouse(["check", "-d", "limit.json", "in.json"], dir);
      assert.is(data.code, 2, data.stdout + data.stderr);
      assert.match(data.stderr, /limit\.json: invalid JSON: the number 9007199254740993 is 9007199254740992 as a double/);
      // Held: 0.1, a double's own integer, an exponent and 9007199254740994 (a double exactly) are judged.
      const held = gatehouse(["check", "held.json"], dir);
      assert.is(held.code, 1, held.stdout + held.stderr);
      assert.equal(failLinesOf(held.stdout), ["FAIL held.json [main.deny] big", "FAIL held.json [main.deny] f is 0.1"]);
    },
  );
});

test.run();
