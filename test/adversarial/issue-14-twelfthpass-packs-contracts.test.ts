// Issue 14, twelfth adversarial pass (packs, gate and contracts). Each test names the hole it
// closes; each fails on the build before its fix.

import { rmSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CONTRACTS_CONFIG as CONFIG, gateAfterContractChange, gatehouse, repo, withRepo, writeFiles as write } from "./harness.js";

const gateAfterChange = gateAfterContractChange;

const PY_BASE = "def f(a):\n    return a\n\n\ndef g(a):\n    return a\n";
const JS_BASE = "exports.f = function (a) { return a; };\nexports.g = function (a) { return a; };\n";

test("issue 14.3 (contracts, Python): the binding a module makes last is the contract (a second def, an alias, a lambda, an import, del, a branch), not the first", () => {
  const cases: [string, string, Record<string, string>?][] = [
    ["a second def", `${PY_BASE}\n\ndef f(a, b):\n    return a\n`],
    ["an alias of another function", `${PY_BASE}\n\ndef _h(a, b):\n    return a\n\n\nf = _h\n`],
    ["a lambda", `${PY_BASE}\nf = lambda a, b: a\n`],
    ["a def in a branch", `${PY_BASE}\nif True:\n    def f(a, b):\n        return a\n`],
    ["an import", `${PY_BASE}\nfrom ._impl import f\n`, { "pkg/_impl.py": "def f(a, b):\n    return a\n" }],
  ];
  for (const [name, text, extra] of cases) {
    gateAfterChange({ name, files: { "pkg/__init__.py": PY_BASE }, change: { "pkg/__init__.py": text, ...(extra ?? {}) }, symbol: "pkg/__init__.py#f" });
  }
  // Unbound: `del f`, `f = None`, `f, x = other` leave no f to call.
  for (const [name, tail] of [["del", "del f\n"], ["None", "f = None\n"], ["unpacking", "f, x = g, 1\n"]]) {
    gateAfterChange({ name, files: { "pkg/__init__.py": PY_BASE }, change: { "pkg/__init__.py": `${PY_BASE}\n${tail}` }, symbol: "pkg/__init__.py#f" });
  }
  // Held: a wrapper of the name itself keeps its signature; a speedup import in a try keeps the definition.
  gateAfterChange({ name: "wrapper", files: { "pkg/__init__.py": PY_BASE }, change: { "pkg/__init__.py": `import functools\n\n${PY_BASE}\nf = functools.lru_cache(maxsize=None)(f)\n` } });
  gateAfterChange({ name: "speedup", files: { "pkg/__init__.py": PY_BASE }, change: { "pkg/__init__.py": `${PY_BASE}\ntry:\n    from ._speedups import f\nexcept ImportError:\n    pass\n` } });
});

test("issue 14.3 (contracts): a class body's or package's later binding wins too (a Python method def'd twice or rebound, a JavaScript class repeating a method, a def followed by from x import *)", () => {
  const cls = "class A:\n    def m(self, a):\n        return a\n\n    def _n(self, a, b):\n        return a\n";
  gateAfterChange({ name: "method def'd twice", files: { "pkg/__init__.py": cls }, change: { "pkg/__init__.py": `${cls}\n    def m(self, a, b):\n        return a\n` }, symbol: "pkg/__init__.py#A.m" });
  gateAfterChange({ name: "method rebound", files: { "pkg/__init__.py": cls }, change: { "pkg/__init__.py": `${cls}\n    m = _n\n` }, symbol: "pkg/__init__.py#A.m" });
  const js = "export class A {\n  m(a) {\n    return a;\n  }\n}\n";
  gateAfterChange({ name: "JavaScript method repeated", files: { "src/index.js": js }, change: { "src/index.js": js.replace("}\n}\n", "}\n  m(a, b) {\n    return a;\n  }\n}\n") }, symbol: "src/index.js#A.m" });
  gateAfterChange({
    name: "star import after the def",
    files: { "pkg/__init__.py": PY_BASE },
    change: { "pkg/__init__.py": `${PY_BASE}\nfrom ._impl import *\n`, "pkg/_impl.py": "def f(a, b):\n    return a\n" },
    symbol: "pkg/__init__.py#f",
  });
  // Held: a star import before the def does not rebind it; one without the name leaves it.
  gateAfterChange({ name: "star before", files: { "pkg/__init__.py": PY_BASE }, change: { "pkg/__init__.py": `from ._impl import *\n\n${PY_BASE}`, "pkg/_impl.py": "def f(a, b):\n    return a\n" } });
  gateAfterChange({ name: "star without the name", files: { "pkg/__init__.py": PY_BASE }, change: { "pkg/__init__.py": `${PY_BASE}\nfrom ._impl import *\n`, "pkg/_impl.py": "def _h(a, b):\n    return a\n" } });
});

test("issue 14.3 (contracts, CommonJS): a later assignment replaces the value exported before (exports.f twice, module.exports replaced) and delete exports.f removes it", () => {
  const cases: [string, string, string][] = [
    ["exports.f reassigned", `${JS_BASE}exports.f = function (a, b) { return a + b; };\n`, "index.js#f"],
    ["module.exports.f reassigned", `${JS_BASE}module.exports.f = (a, b) => a + b;\n`, "index.js#f"],
    ["delete exports.f", `${JS_BASE}delete exports.f;\n`, "index.js#f"],
    ["delete module.exports[\"f\"]", `${JS_BASE}delete module.exports["f"];\n`, "index.js#f"],
    ["module.exports replaced", `${JS_BASE}module.exports = { g: exports.g };\n`, "index.js#f"],
  ];
  for (const [name, text, symbol] of cases) gateAfterChange({ name, files: { "index.js": JS_BASE }, change: { "index.js": text }, symbol });
  // Held: module.exports replaced by an object that names the earlier values keeps them.
  gateAfterChange({ name: "module.exports of the same values", files: { "index.js": JS_BASE }, change: { "index.js": `${JS_BASE}module.exports = { f: exports.f, g: exports.g };\n` } });
});

test("issue 14.3 (contracts): a class callers can no longer construct (abstract, a protected or private constructor) is BREAKING, and an abstract member added is RISKY, not the same class", () => {
  const base = "export class Store {\n  constructor(name: string) {}\n  get(key: string): string {\n    return key;\n  }\n}\n";
  for (const [name, text] of [
    ["private constructor", base.replace("  constructor", "  private constructor")],
    ["protected constructor", base.replace("  constructor", "  protected constructor")],
    ["abstract class", base.replace("export class", "export abstract class")],
  ]) {
    gateAfterChange({ name, files: { "src/index.ts": base }, change: { "src/index.ts": text }, symbol: "src/index.ts#Store" });
  }
  const abstractBase = base.replace("export class", "export abstract class");
  for (const [name, text] of [
    ["abstract member added", abstractBase.replace("  get(", "  abstract put(key: string): void;\n  get(")],
    ["member became abstract", abstractBase.replace("  get(key: string): string {\n    return key;\n  }", "  abstract get(key: string): string;")],
  ]) {
    gateAfterChange({ name, files: { "src/index.ts": abstractBase }, change: { "src/index.ts": text }, symbol: "src/index.ts#Store", finding: "contracts/risky-unapproved" });
  }
  // Held: a private constructor made public again is no break.
  gateAfterChange({ name: "constructor made public", files: { "src/index.ts": base.replace("  constructor", "  private constructor") }, change: { "src/index.ts": base } });
});

test("issue 14.3 (contracts): a function that becomes a generator (function*, a Python def that yields), with no declared return type to say so, is BREAKING", () => {
  gateAfterChange({
    name: "function*",
    files: { "src/index.ts": "export function ids(n: number) {\n  return [n];\n}\n" },
    change: { "src/index.ts": "export function* ids(n: number) {\n  yield n;\n}\n" },
    symbol: "src/index.ts#ids",
  });
  gateAfterChange({
    name: "generator method",
    files: { "src/index.ts": "export class C {\n  ids(n: number) {\n    return [n];\n  }\n}\n" },
    change: { "src/index.ts": "export class C {\n  *ids(n: number) {\n    yield n;\n  }\n}\n" },
    symbol: "src/index.ts#C.ids",
  });
  gateAfterChange({
    name: "def that yields",
    files: { "pkg/__init__.py": "def ids(n):\n    return [n]\n" },
    change: { "pkg/__init__.py": "def ids(n):\n    yield n\n" },
    symbol: "pkg/__init__.py#ids",
  });
  // Held: a yield in a nested function leaves the outer one a plain function.
  gateAfterChange({
    name: "nested yield",
    files: { "pkg/__init__.py": "def ids(n):\n    return [n]\n" },
    change: { "pkg/__init__.py": "def ids(n):\n    def inner():\n        yield n\n    return list(inner())\n" },
  });
});

test("issue 14.3 (contracts): a TypeScript parameter that moves (a swap of two of one type, an optional one inserted before it) is BREAKING, not no change or SAFE; a rename in place is still no change", () => {
  const base = "export function copy(src: string, dest: string, mode?: number): void {}\n";
  gateAfterChange({ name: "swap", files: { "src/index.ts": base }, change: { "src/index.ts": "export function copy(dest: string, src: string, mode?: number): void {}\n" }, symbol: "src/index.ts#copy" });
  gateAfterChange({ name: "insertion", files: { "src/index.ts": base }, change: { "src/index.ts": "export function copy(src: string, dest: string, flags?: number, mode?: number): void {}\n" }, symbol: "src/index.ts#copy" });
  gateAfterChange({ name: "rename in place", files: { "src/index.ts": base }, change: { "src/index.ts": "export function copy(from: string, to: string, mode?: number): void {}\n" } });
});

test("issue 14.3 (contracts, CommonJS): a chained assignment (module.exports = exports = {...}, exports = module.exports = fn) exports its value, not an opaque default", () => {
  for (const chain of ["module.exports = exports", "exports = module.exports"]) {
    gateAfterChange({
      name: chain,
      files: { "index.js": `${chain} = { f(a) { return a; } };\n` },
      change: { "index.js": `${chain} = { f(a, b) { return a; } };\n` },
      symbol: "index.js#f",
    });
  }
});

test("issue 14.3 (contracts): an exported const that names a local function or class (export const f = g, : typeof g = g) or an import is that function: a breaking change to it denies", () => {
  const g = (params: string) => `function g(${params}): string {\n  return a;\n}\n`;
  for (const tail of ["export const f = g;\n", "export const f: typeof g = g;\n"]) {
    gateAfterChange({ name: tail, files: { "src/index.ts": `${g("a: string")}${tail}` }, change: { "src/index.ts": `${g("a: string, b: string")}${tail}` }, symbol: "src/index.ts#f" });
  }
  gateAfterChange({
    name: "class alias",
    files: { "src/index.ts": "class Impl {\n  constructor(a: string) {}\n}\nexport const Store = Impl;\n" },
    change: { "src/index.ts": "class Impl {\n  constructor(a: string, b: string) {}\n}\nexport const Store = Impl;\n" },
    symbol: "src/index.ts#Store",
  });
  gateAfterChange({
    name: "import alias",
    files: { "package.json": '{ "name": "pkg", "types": "src/index.ts" }\n', "src/index.ts": 'import { g } from "./impl";\nexport const f = g;\n', "src/impl.ts": `export ${g("a: string")}` },
    change: { "src/impl.ts": `export ${g("a: string, b: string")}` },
    symbol: "pkg#f",
  });
});

test("issue 14.3 (contracts): a setter that takes a narrower type than before (its getter unchanged) is BREAKING; a wider one is not", () => {
  const cls = (setter: string) => `export class A {\n  get x(): string {\n    return "";\n  }\n  set x(v: ${setter}) {}\n}\n`;
  gateAfterChange({ name: "setter narrowed", files: { "src/index.ts": cls("string") }, change: { "src/index.ts": cls('"a" | "b"') }, symbol: "src/index.ts#A.x" });
  gateAfterChange({ name: "setter narrowed again", files: { "src/index.ts": cls('"a" | "b" | "c"') }, change: { "src/index.ts": cls('"a" | "b"') }, symbol: "src/index.ts#A.x" });
  // Held: a setter that takes more than before breaks no writer.
  gateAfterChange({ name: "setter widened", files: { "src/index.ts": cls('"a" | "b"') }, change: { "src/index.ts": cls('"a" | "b" | "c"') } });
});

test("issue 14.4: a heading in markup that does not render (an HTML comment, <pre>, a <details> block without a blank line, a lone tag's block) satisfies no required heading", () => {
  const config = "version: 1\npack:\n  use: default@1.0\n  overrides:\n    requirements:\n      headings:\n        - { glob: README.md, headings: [Rollback] }\ncollectors: {}\n";
  for (const hidden of ["<!--\n## Rollback\n-->\n", "<!-- ## Rollback -->\n", "<pre>\n## Rollback\n</pre>\n", "<details>\n## Rollback\n</details>\n", "<span>\n## Rollback\n"]) {
    withRepo("twelfth-headings", { "gatehouse.config.yaml": config, "README.md": `# app\n\n${hidden}\n## Usage\n\nrun it\n` }, (root) => {
      const run = gatehouse(["gate"], root);
      assert.is(run.code, 1, `${JSON.stringify(hidden)}: ${run.stdout}${run.stderr}`);
      assert.ok(run.stdout.includes("[pack/required-heading-missing]") && run.stdout.includes("Rollback"), `${JSON.stringify(hidden)}: ${run.stdout}`);
    });
  }
  // Held: the heading itself, also after a comment or inside a <details> block with blank lines.
  for (const shown of ["## Rollback\n", "<!-- template -->\n## Rollback\n", "<details>\n\n## Rollback\n\n</details>\n"]) {
    withRepo("twelfth-headings", { "gatehouse.config.yaml": config, "README.md": `# app\n\n${shown}\nrevert\n` }, (root) => {
      const run = gatehouse(["gate"], root);
      assert.not.ok(run.stdout.includes("[pack/required-heading-missing]"), `${JSON.stringify(shown)}: ${run.stdout}${run.stderr}`);
    });
  }
});

test("issue 14 (contracts): the Contract Impact a PR body declares is what reviewers see: a declaration in an HTML comment or a code block does not count, and a line and a box that disagree are undeclared", () => {
  const root = repo("twelfth-impact", { "gatehouse.config.yaml": CONFIG, "src/index.ts": "export function f(a: string): string {\n  return a;\n}\n" });
  try {
    assert.is(gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 }).code, 0);
    write(root, { "src/index.ts": "export function f(a: string, b: string): string {\n  return a;\n}\n" });
    const gateWith = (body: string) => {
      write(root, { "pr.md": body });
      return gatehouse(["gate", "--pr-body", "pr.md"], root, { timeoutMs: 60_000 });
    };
    for (const body of [
      "## Contract Impact\n\n- [x] None\n<!-- Contract Impact: BREAKING -->\n",
      "<!--\nContract Impact: BREAKING\n-->\n## Contract Impact\n\n- [x] None\n",
      "## Contract Impact\n\n- [x] None\n\n```\nContract Impact: BREAKING\n```\n",
      "## Contract Impact\n\n- [ ] None\n<!-- - [x] BREAKING -->\n",
      "Contract Impact: BREAKING\n\n## Contract Impact\n\n- [x] None\n",
    ]) {
      const run = gateWith(body);
      assert.is(run.code, 1, `${JSON.stringify(body)}: ${run.stdout}${run.stderr}`);
      assert.ok(run.stdout.includes("[contracts/impact-understated]"), `${JSON.stringify(body)}: ${run.stdout}`);
    }
    // Held: a visible declaration still counts.
    for (const body of ["## Contract Impact\n\n- [x] BREAKING\n", "<!-- fill in -->\nContract Impact: BREAKING\n"]) {
      const run = gateWith(body);
      assert.not.ok(run.stdout.includes("[contracts/impact-understated]"), `${JSON.stringify(body)}: ${run.stdout}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
