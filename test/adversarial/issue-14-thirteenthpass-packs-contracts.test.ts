// Issue 14, thirteenth adversarial pass (packs, gate, contracts, identities). Each test names the
// hole it closes; each fails on the build before its fix.

import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sameIdentity } from "../../src/core/identity.js";
import { cleanup, denyingCodes, gatehouse, tempRepo } from "../helpers/adversarial.js";
import { entryFor } from "../helpers/sample-entry.js";
import { codesOf, gatehouse as run, gateAfterContractChange as gateAfterChange, withRepo } from "./harness.js";

const PACKAGE = JSON.stringify({ name: "pkg", version: "1.0.0", main: "index.js", types: "index.ts" });
const FOO = "export class Foo {\n  run(a: string): string {\n    return a;\n  }\n}\nexport function make(a: string): Foo {\n  return new Foo();\n}\n";

test("issue 14.3 (contracts): a value re-exported as a type only (export type { X }, export { type X }, import type then export, export type *, a local class) is BREAKING: callers can no longer call, construct or read it", () => {
  const files = { "package.json": PACKAGE, "index.ts": 'export { Foo, make } from "./foo";\n', "foo.ts": FOO };
  const cases: [string, string][] = [
    ["export type { X } from", 'export type { Foo } from "./foo";\nexport { make } from "./foo";\n'],
    ["export { type X } from", 'export { type Foo, make } from "./foo";\n'],
    ["import type, then export", 'import type { Foo } from "./foo";\nexport { Foo };\nexport { make } from "./foo";\n'],
    ["import { type X }, then export", 'import { type Foo, make } from "./foo";\nexport { Foo, make };\n'],
    ["export type * from", 'export type * from "./foo";\nexport { make } from "./foo";\n'],
  ];
  for (const [name, index] of cases) gateAfterChange({ name, files, change: { "index.ts": index }, symbol: "pkg#Foo", finding: "contracts/breaking-unapproved" });
  gateAfterChange({
    name: "a local class exported type-only",
    files: { "package.json": PACKAGE, "index.ts": "class Foo {\n  run(a: string): string {\n    return a;\n  }\n}\nexport { Foo };\n" },
    change: { "index.ts": "class Foo {\n  run(a: string): string {\n    return a;\n  }\n}\nexport type { Foo };\n" },
    symbol: "pkg#Foo",
  });
  // Held: an interface or alias exported type-only is no change; a value exported type-only from the start stays so.
  gateAfterChange({ name: "an interface", files: { "package.json": PACKAGE, "index.ts": 'export { I } from "./i";\n', "i.ts": "export interface I {\n  a: string;\n}\n" }, change: { "index.ts": 'export type { I } from "./i";\n' } });
  gateAfterChange({ name: "type-only on both sides", files: { ...files, "index.ts": 'export type { Foo } from "./foo";\nexport { make } from "./foo";\n' }, change: { "foo.ts": `${FOO}// a comment\n` } });
});

test("issue 14.3 (contracts): a name two `export *` bind to different declarations is ambiguous (ES modules leave it out, tsc says TS2308): a second module gaining the name removes it, though it read as unchanged", () => {
  const files = { "package.json": PACKAGE, "index.ts": 'export * from "./a";\nexport * from "./b";\n', "a.ts": "export function x(a: string): string {\n  return a;\n}\n", "b.ts": "export function y(a: string): string {\n  return a;\n}\n" };
  gateAfterChange({ name: "a second star gains x", files, change: { "b.ts": `${files["b.ts"]}export function x(a: string): string {\n  return a;\n}\n` }, symbol: "pkg#x" });
  gateAfterChange({ name: "a second star re-exports another x", files: { ...files, "c.ts": "export const x = 1;\n" }, change: { "b.ts": `${files["b.ts"]}export { x } from "./c";\n` }, symbol: "pkg#x" });
  // Held: two stars that reach the same declaration (a diamond) are no conflict, and a local export wins over the stars.
  gateAfterChange({ name: "a diamond", files, change: { "b.ts": `${files["b.ts"]}export * from "./a";\n` } });
  gateAfterChange({
    name: "a local export beside the stars",
    files: { ...files, "index.ts": 'export * from "./a";\nexport * from "./b";\nexport { x } from "./a";\n' },
    change: { "b.ts": `${files["b.ts"]}export function x(): void {}\n` },
  });
  // CommonJS's __exportStar copies the first module's name: no ambiguity there.
  gateAfterChange({
    name: "CommonJS __exportStar",
    files: { "index.js": '__exportStar(require("./a"), exports);\n__exportStar(require("./b"), exports);\n', "a.js": "exports.x = function (a) { return a; };\n", "b.js": "exports.y = function (a) { return a; };\n" },
    change: { "b.js": "exports.y = function (a) { return a; };\nexports.x = function () {};\n" },
  });
});

test("issue 14.3 (contracts): a TypeScript function or method that declares a `this` parameter (or another one) is BREAKING: calls that compiled no longer do, though the arguments read the same", () => {
  const base = "export function f(a: string): string {\n  return a;\n}\n";
  gateAfterChange({ name: "this added", files: { "package.json": PACKAGE, "index.ts": base }, change: { "index.ts": "export function f(this: { k: number }, a: string): string {\n  return a;\n}\n" }, symbol: "pkg#f" });
  gateAfterChange({
    name: "this changed",
    files: { "package.json": PACKAGE, "index.ts": "export function f(this: { k: number }, a: string): string {\n  return a;\n}\n" },
    change: { "index.ts": "export function f(this: { k: number; j: string }, a: string): string {\n  return a;\n}\n" },
    symbol: "pkg#f",
  });
  gateAfterChange({
    name: "a method's this",
    files: { "package.json": PACKAGE, "index.ts": "export interface Api {\n  get(a: string): string;\n}\n" },
    change: { "index.ts": "export interface Api {\n  get(this: Window, a: string): string;\n}\n" },
    symbol: "pkg#Api.get",
  });
  // Held: dropping the this parameter (or declaring this: unknown) takes every old call.
  gateAfterChange({ name: "this dropped", files: { "package.json": PACKAGE, "index.ts": "export function f(this: { k: number }, a: string): string {\n  return a;\n}\n" }, change: { "index.ts": base } });
  gateAfterChange({ name: "this: unknown", files: { "package.json": PACKAGE, "index.ts": base }, change: { "index.ts": "export function f(this: unknown, a: string): string {\n  return a;\n}\n" } });
});

test("issue 14.3 (contracts): a type known before and not now (a return annotation dropped while the body returns another type, a property's or const's annotation dropped, a literal replaced by a call) is BREAKING, not unseen; an unannotated class property's literal is its type", () => {
  const cases: [string, string, string, string][] = [
    ["return annotation dropped", "export function f(a: string): string {\n  return a;\n}\n", "export function f(a: string) {\n  return a.length;\n}\n", "pkg#f"],
    ["JSDoc @returns dropped", "/** @returns {string} */\nexport function f(a) {\n  return a;\n}\n", "export function f(a) {\n  return a.length;\n}\n", "pkg#f"],
    ["property annotation dropped", "declare function make(): any;\nexport class C {\n  p: string = make();\n}\n", "declare function make(): any;\nexport class C {\n  p = make();\n}\n", "pkg#C.p"],
    ["const annotation dropped", "declare function make(): any;\nexport const x: string = make();\n", "declare function make(): any;\nexport const x = make();\n", "pkg#x"],
    ["a property's literal changes type", "export class C {\n  p: string = \"a\";\n}\n", "export class C {\n  p = 1;\n}\n", "pkg#C.p"],
    ["an unannotated property's literal changes type", "export class C {\n  p = \"a\";\n}\n", "export class C {\n  p = 1;\n}\n", "pkg#C.p"],
  ];
  for (const [name, before, after, symbol] of cases) {
    const file = name.startsWith("JSDoc") ? "index.js" : "index.ts";
    const pkg = JSON.stringify({ name: "pkg", version: "1.0.0", main: "index.js", ...(file === "index.ts" ? { types: "index.ts" } : {}) });
    gateAfterChange({ name, files: { "package.json": pkg, [file]: before }, change: { [file]: after }, symbol });
  }
  // Held: an annotation added, or a property whose literal keeps its type, is no change.
  gateAfterChange({ name: "annotation added", files: { "package.json": PACKAGE, "index.ts": "export function f(a: string) {\n  return a;\n}\n" }, change: { "index.ts": "export function f(a: string): string {\n  return a;\n}\n" } });
  gateAfterChange({ name: "same literal type", files: { "package.json": PACKAGE, "index.ts": "export class C {\n  p = 1;\n}\n" }, change: { "index.ts": "export class C {\n  p = 2;\n}\n" } });
});

test("issue 14.3 (contracts): an enum that becomes a const enum is BREAKING (no object at run time: Object.values(E), passing E, E[0]); the other way is not", () => {
  gateAfterChange({ name: "to const enum", files: { "package.json": PACKAGE, "index.ts": "export enum E {\n  A,\n  B,\n}\n" }, change: { "index.ts": "export const enum E {\n  A,\n  B,\n}\n" }, symbol: "pkg#E" });
  gateAfterChange({ name: "from const enum", files: { "package.json": PACKAGE, "index.ts": "export const enum E {\n  A,\n  B,\n}\n" }, change: { "index.ts": "export enum E {\n  A,\n  B,\n}\n" } });
});

test("issue 14.3 (contracts, Python): a @staticmethod or @classmethod that becomes an instance method is BREAKING (C.m(x) breaks; with self/cls dropped its parameters read the same); the other way is not", () => {
  const method = (decorator: string, first: string) => `class C:\n    ${decorator}def m(${first}x):\n        return x\n`;
  gateAfterChange({ name: "staticmethod", files: { "pkg/__init__.py": method("@staticmethod\n    ", "") }, change: { "pkg/__init__.py": method("", "self, ") }, symbol: "pkg/__init__.py#C.m", finding: "contracts/breaking-unapproved" });
  gateAfterChange({ name: "classmethod", files: { "pkg/__init__.py": method("@classmethod\n    ", "cls, ") }, change: { "pkg/__init__.py": method("", "self, ") }, symbol: "pkg/__init__.py#C.m" });
  // Held: an instance method that becomes static, and a classmethod that becomes a staticmethod, keep every call.
  gateAfterChange({ name: "to static", files: { "pkg/__init__.py": method("", "self, ") }, change: { "pkg/__init__.py": method("@staticmethod\n    ", "") } });
  gateAfterChange({ name: "class to static", files: { "pkg/__init__.py": method("@classmethod\n    ", "cls, ") }, change: { "pkg/__init__.py": method("@staticmethod\n    ", "") } });
});

test("issue 14.3 (contracts, Python): an ABC that gains an abstract method can no longer be constructed (C() raises TypeError: BREAKING), and a frozen dataclass or attrs class breaks writers of its fields; neither read as a change", () => {
  const abc = (decorator: string) => `import abc\n\n\nclass C(abc.ABC):\n    ${decorator}def m(self):\n        return 1\n`;
  gateAfterChange({ name: "abstractmethod added", files: { "pkg/__init__.py": abc("") }, change: { "pkg/__init__.py": abc("@abc.abstractmethod\n    ") }, symbol: "pkg/__init__.py#C" });
  gateAfterChange({
    name: "a private abstract method, metaclass=ABCMeta",
    files: { "pkg/__init__.py": "from abc import ABCMeta, abstractmethod\n\n\nclass C(metaclass=ABCMeta):\n    def _m(self):\n        return 1\n" },
    change: { "pkg/__init__.py": "from abc import ABCMeta, abstractmethod\n\n\nclass C(metaclass=ABCMeta):\n    @abstractmethod\n    def _m(self):\n        return 1\n" },
    symbol: "pkg/__init__.py#C",
  });
  const data = (decorator: string) => `from dataclasses import dataclass\n\n\n@${decorator}\nclass C:\n    x: int\n`;
  gateAfterChange({ name: "frozen dataclass", files: { "pkg/__init__.py": data("dataclass") }, change: { "pkg/__init__.py": data("dataclass(frozen=True)") }, symbol: "pkg/__init__.py#C" });
  gateAfterChange({ name: "attrs frozen", files: { "pkg/__init__.py": "import attrs\n\n\n@attrs.define\nclass C:\n    x: int\n" }, change: { "pkg/__init__.py": "import attrs\n\n\n@attrs.frozen\nclass C:\n    x: int\n" }, symbol: "pkg/__init__.py#C" });
  // Held: no longer frozen, or an abstract method in a class that is no ABC, keeps every old use.
  gateAfterChange({ name: "unfrozen", files: { "pkg/__init__.py": data("dataclass(frozen=True)") }, change: { "pkg/__init__.py": data("dataclass") } });
});

test("issue 14.3 (contracts, Python): names a module adds to __all__ in a shape the reader did not follow (.append, .extend, a + of lists, in a branch, a computed part) are contracts: a breaking change to them denies", () => {
  const defs = "\n\ndef a(x):\n    return x\n\n\ndef b(x, y):\n    return x\n";
  const shapes: [string, string][] = [
    ["append", '__all__ = ["a"]\n__all__.append("b")\n'],
    ["extend", '__all__ = ["a"]\n__all__.extend(["b"])\n'],
    ["a + of lists", '__all__ = ["a"] + ["b"]\n'],
    ["+= in a branch", '__all__ = ["a"]\nif True:\n    __all__ += ["b"]\n'],
    ["a computed part", '__all__ = ["a"] + [n for n in ("b",)]\n'],
    ["a loop", '__all__ = ["a"]\nfor _n in ("b",):\n    __all__.append(_n)\n'],
  ];
  for (const [name, all] of shapes) {
    gateAfterChange({ name, files: { "pkg/__init__.py": `${all}${defs}` }, change: { "pkg/__init__.py": `${all}${defs.replace("def b(x, y)", "def b(x)")}` }, symbol: "pkg/__init__.py#b" });
  }
  // Held: a literal __all__ still decides; a name it leaves out is not a contract (a docstring naming __all__ changes nothing).
  gateAfterChange({ name: "literal", files: { "pkg/__init__.py": `"""What __all__ lists is the API."""\n__all__ = ["a"]${defs}` }, change: { "pkg/__init__.py": `"""What __all__ lists is the API."""\n__all__ = ["a"]${defs.replace("def b(x, y)", "def b(x)")}` } });
});

test("issue 14.8: a hair, thin or narrow no-break space inside a name (NFKC reads it as a space) is not a second person: the requester approving as ali\u200Ace is self-approval", async () => {
  const restart = { ...entryFor("id", 0), requested_by: "alice", risk_class: "SERVICE_RESTART", rollback_ref: "runbooks/nginx.md#rollback" };
  for (const space of ["\u200A", "\u2009", "\u202F", "\u2006", " "]) {
    const approver = `ali${space}ce`;
    assert.ok(sameIdentity("alice", approver), JSON.stringify(approver));
    const root = tempRepo({ "entry.json": JSON.stringify({ ...restart, approved_by: approver }) });
    const result = await gatehouse(["ledger", "append", join(root, "entry.json"), "--root", root, "--format", "json"]);
    assert.is(result.exitCode, 1, JSON.stringify(approver));
    assert.equal(denyingCodes(result), ["ops/self-approval"], JSON.stringify(approver));
    const ledger = join(root, "ops", "ledger");
    assert.not.ok(existsSync(ledger) && readdirSync(ledger).some((f) => f.endsWith(".jsonl")), "nothing was appended");
  }
  // Held: another person passes.
  const root = tempRepo({ "entry.json": JSON.stringify({ ...restart, approved_by: "bob" }) });
  assert.is((await gatehouse(["ledger", "append", join(root, "entry.json"), "--root", root, "--format", "json"])).exitCode, 0);
  assert.not.ok(sameIdentity("alice", "bob"));
  cleanup();
});

test("issue 14.12: a required file (CODEOWNERS) that is a committed link out of the repository, or a directory, is missing, not the repository's file", () => {
  const config = "version: 1\npack:\n  use: default@1.0\n  overrides:\n    requirements:\n      files: [CODEOWNERS]\ncollectors: {}\n";
  withRepo("required-link", { "gatehouse.config.yaml": config }, (root) => {
    const outside = join(root, "..", `gatehouse-outside-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "CODEOWNERS"), "* @someone\n");
    try {
      for (const make of [() => symlinkSync(join(outside, "CODEOWNERS"), join(root, "CODEOWNERS")), () => mkdirSync(join(root, "CODEOWNERS"))]) {
        make();
        const result = run(["gate"], root);
        assert.is(result.code, 1, result.stdout + result.stderr);
        const line = result.stdout.split("\n").find((l) => l.includes("[pack/required-file-missing]") && l.includes("CODEOWNERS"));
        assert.ok(line && line.includes("is not a file of the repository"), result.stdout);
        rmSync(join(root, "CODEOWNERS"), { recursive: true, force: true });
      }
      // Held: a regular CODEOWNERS in the repository satisfies it.
      writeFileSync(join(root, "CODEOWNERS"), "* @someone\n");
      const ok = run(["gate"], root);
      assert.not.ok(codesOf(ok.stdout).includes("pack/required-file-missing"), ok.stdout);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

test.run();
