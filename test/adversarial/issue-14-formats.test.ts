// Issue 14, item 1: a file is parsed only by the parser its name selects (conftest's rules) or
// --parser; anything else denies unparsed (input/unsupported-format), and a document that is a
// bare scalar denies (input/not-a-document). It used to be read as YAML: a Dockerfile became one
// string, and a policy written for a parsed Dockerfile allowed it. Since issue 16 the other
// conftest formats are parsed by conftest's own parsers, so these files are judged as conftest
// judges them; a name no parser claims still denies unparsed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { IMPLEMENTED_PARSERS, parserFor, PARSER_NAMES } from "../../src/inputs/parsers/index.js";
import { codesOf, gatehouse, withRepo } from "./harness.js";

// The policy of the issue: conftest denies a parsed Dockerfile with it.
const DOCKERFILE_POLICY = 'package main\n\ndeny contains "FROM found" if {\n\tsome i\n\tinput[i].Cmd == "from"\n}\n';

test("issue 14.1: a Dockerfile, pom.xml, .toml and .vcl named explicitly are parsed as conftest parses them or deny, never read as YAML; a Makefile denies unparsed", () => {
  withRepo("adversarial-formats", {
    "policy/main.rego": DOCKERFILE_POLICY,
    Dockerfile: "FROM alpine\n",
    "Dockerfile.debug": "FROM alpine\n",
    "pom.xml": "<project><modelVersion>4.0.0</modelVersion></project>\n",
    "app.toml": 'title = "x"\n',
    "default.vcl": "vcl 4.1;\n",
    Makefile: "all:\n\ttrue\n",
  }, (root) => {
    // What conftest itself answers: the Dockerfiles are parsed and denied by the policy.
    for (const file of ["Dockerfile", "Dockerfile.debug"]) {
      const run = gatehouse(["check", "--policy", "policy", file], root);
      assert.is(run.code, 1, `${file}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, new RegExp(`FAIL ${file.replace(".", "\\.")} \\[main\\.deny\\] FROM found`), file);
    }
    // Parsed (no FROM: nothing to deny) or refused as unparsable: never a YAML string.
    for (const file of ["pom.xml", "app.toml", "default.vcl"]) {
      const run = gatehouse(["check", "--policy", "policy", file], root);
      const codes = codesOf(run.stdout);
      assert.ok(run.code === 0 || codes.includes("input/unparsable"), `${file}: ${run.stdout}${run.stderr}`);
      assert.not.ok(codes.includes("input/not-a-document"), file);
    }
    const makefile = gatehouse(["check", "--policy", "policy", "Makefile"], root);
    assert.is(makefile.code, 1, makefile.stdout + makefile.stderr);
    assert.equal(codesOf(makefile.stdout), ["input/unsupported-format"]);
    assert.match(makefile.stdout, /DENY/);
  });
});

test("issue 14.1: a document that is a bare scalar denies input/not-a-document (a YAML string, a JSON number, a scalar document of a stream, stdin)", () => {
  withRepo("adversarial-scalars", {
    "policy/main.rego": 'package main\n\ndeny contains "a string" if is_object(input)\n',
    "build.yaml": "FROM alpine\n",
    "n.json": "42\n",
    "null.yaml": "---\n",
    "stream.yaml": "a: 1\n---\ntrue\n",
  }, (root) => {
    for (const file of ["build.yaml", "n.json", "null.yaml", "stream.yaml"]) {
      const run = gatehouse(["check", "--policy", "policy", file], root);
      assert.is(run.code, 1, `${file}: ${run.stdout}${run.stderr}`);
      assert.equal(codesOf(run.stdout), ["input/not-a-document"], file);
    }
    const stdin = gatehouse(["check", "--policy", "policy", "-"], root, { stdin: "FROM alpine\n" });
    assert.equal(codesOf(stdin.stdout), ["input/not-a-document"], stdin.stdout);
    // A forced parser does not lift the check: a Dockerfile read as YAML is still one string.
    const forced = gatehouse(["check", "--policy", "policy", "--parser", "yaml", "build.yaml"], root);
    assert.equal(codesOf(forced.stdout), ["input/not-a-document"], forced.stdout);
  });
});

test("issue 14.1: --parser chooses the parser for any file name; an unknown name is a usage error listing the names", () => {
  withRepo("adversarial-parser-flag", {
    "policy/main.rego": 'package main\n\ndeny contains "x is set" if input.x\n',
    "settings.conf": '{"x": true}\n',
  }, (root) => {
    assert.equal(codesOf(gatehouse(["check", "--policy", "policy", "settings.conf"], root).stdout), ["input/unsupported-format"]);
    const json = gatehouse(["check", "--policy", "policy", "--parser", "json", "settings.conf"], root);
    assert.is(json.code, 1, json.stdout + json.stderr);
    assert.match(json.stdout, /FAIL settings\.conf \[main\.deny\] x is set/);
    const unknown = gatehouse(["check", "--policy", "policy", "--parser", "yml", "settings.conf"], root);
    assert.is(unknown.code, 2);
    assert.match(unknown.stderr, new RegExp(`unknown parser "yml"; known parsers: ${PARSER_NAMES.join(", ")}`));
    // A forced format that does not fit the bytes is refused with the parser's error, not guessed at.
    const toml = gatehouse(["check", "--policy", "policy", "--parser", "toml", "settings.conf"], root);
    assert.equal(codesOf(toml.stdout), ["input/unparsable"]);
    assert.match(toml.stdout, /toml: parser unmarshal: unmarshal toml/);
  });
});

test("issue 14.1: a directory walk takes the files a parser claims (every conftest format) and skips the rest", () => {
  withRepo("adversarial-walk", {
    "policy/main.rego": 'package main\n\ndeny contains "x is set" if input.x\n',
    "dir/a.json": '{"x": false}',
    "dir/b.yml": "x: false\n",
    "dir/report.sarif": '{"x": false}',
    "dir/Dockerfile": "FROM alpine\n",
    "dir/notes.txt": "x: true\n",
    "dir/config.toml": "x = true\n",
  }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "dir", "--format", "json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as { inputs: { path: string }[]; findings: { input: string; message: string }[] };
    assert.equal(report.inputs.map((i) => i.path), ["dir/Dockerfile", "dir/a.json", "dir/b.yml", "dir/config.toml", "dir/report.sarif"]);
    assert.equal(report.findings.map((f) => `${f.input}: ${f.message}`), ["dir/config.toml: x is set"]);
  });
});

test("issue 14.1: file names select parsers by conftest's rules, in conftest's order", () => {
  const cases: [string, string | undefined][] = [
    ["Dockerfile", "dockerfile"],
    ["dockerfile.debug", "dockerfile"],
    ["Dockerfile.yaml", "dockerfile"],
    ["dev.Dockerfile", "dockerfile"],
    ["a.yml", "yaml"],
    ["a.YAML", "yaml"],
    ["main.tf", "hcl2"],
    ["prod.tfvars", "hcl2"],
    ["x.hcl", "hcl2"],
    ["x.hcl1", "hcl1"],
    [".gitignore", "ignore"],
    ["app.dockerignore", "ignore"],
    [".env", "dotenv"],
    [".env.production", "dotenv"],
    [".env.json", "dotenv"],
    [".env.yaml", "yaml"],
    [".env.hcl", "hcl2"],
    ["local.env", "dotenv"],
    ["nginx.conf", "nginx"],
    ["site.conf", undefined],
    ["Jenkinsfile", "groovy"],
    ["jenkinsfile.release", "groovy"],
    ["x.textproto", "textproto"],
    ["x.textpb", "textproto"],
    ["CODEOWNERS", "codeowners"],
    ["a.json", "json"],
    ["a.sarif", "json"],
    ["a.jsonc", "jsonc"],
    ["pom.xml", "xml"],
    ["a.toml", "toml"],
    ["default.vcl", "vcl"],
    ["a.properties", "properties"],
    ["Makefile", undefined],
    ["x.json.tmp-123", undefined],
    ["dir/sub/Dockerfile", "dockerfile"],
  ];
  for (const [path, expected] of cases) assert.is(parserFor(path), expected, path);
  assert.is(parserFor("Dockerfile", "yaml"), "yaml");
  assert.equal([...IMPLEMENTED_PARSERS], [...PARSER_NAMES]);
});

test.run();
