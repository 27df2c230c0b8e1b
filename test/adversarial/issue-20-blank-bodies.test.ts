// Issue 20 (syntax mode >= 2,000 TypeScript files/s): `.ts` sources are parsed with their
// function bodies blanked (src/contracts/ts/blank-bodies.ts). What a body holds must never change
// a contract: each source here is extracted as `.ts` (blanked) and as `.tsx` (never blanked; the
// sources parse the same either way), and the contracts must be equal. Some bodies must not be
// blanked at all (a default parameter's arrow is printed; `import.meta` makes a file a module).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { blankFunctionBodies } from "../../src/contracts/ts/blank-bodies.js";
import { extractTypeScript } from "../../src/contracts/ts/index.js";
import { DECLARED_LINE, type Contract } from "../../src/contracts/model.js";

const SOURCES: Record<string, string> = {
  "regex and template braces": [
    "export function a(s: string): string {",
    "  const r = /}{/g; const t = `${s.replace(r, '}')}}{`;",
    "  if (s) /}/.test(s);",
    "  return t;",
    "}",
    "export const b = 1;",
  ].join("\n"),
  "default parameter arrow": "export function c(cb = () => { return 1; }, n: number = 2): void {\n  cb();\n}\n",
  "return types and type literals": [
    "export function d(): { x: number } { return { x: 1 }; }",
    "export const e = (x: number): Promise<{ y: string }> => { return Promise.resolve({ y: String(x) }); };",
    "export class F extends Array<number> {",
    "  get g(): number { return 1; }",
    "  set g(v: number) { void v; }",
    "  constructor(public readonly h: string = 'h') { super(); }",
    "  method<T extends { k: T }>(t: T): T { return t; }",
    "  prop = () => { return 2; };",
    "}",
  ].join("\n"),
  "class built by a call": "function mixin<T>(base: T): T { return base; }\nclass Base { x = 1; }\nexport class G extends mixin(Base) {\n  y(a: string): string { return a; }\n}\n",
  "commonjs in a .ts file": "export const z = 0;\nexports.h = function (a: number, b?: string) { return a; };\nmodule.exports.i = { j() { return 1; } };\n",
  "import.meta in a body": "function k() { return import.meta.url; }\nexport function l(a: number) { return k() + a; }\n",
  // The pass takes this type literal for an arrow's body; the check of the blanked parse refuses it.
  "a function type returning a type literal": "export type Fn = () => { a: string };\nexport interface I { f: (x: number) => { b: number } }\n",
  "enum and computed names": "export enum M { A = 1, B = (() => { return 2; })() }\nexport class N { [Symbol.iterator]() { return [][Symbol.iterator](); } }\n",
};

function extract(text: string, extension: string): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-issue-20-blank-"));
  try {
    writeFileSync(join(dir, `m${extension}`), text);
    return extractTypeScript(dir, [`m${extension}`]).map((c: Contract) => [{ ...c, symbol: { ...c.symbol, module: "m" } }, DECLARED_LINE.get(c)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [name, text] of Object.entries(SOURCES)) {
  test(`blanked bodies change no contract: ${name}`, () => {
    const blanked = extract(text, ".ts");
    assert.ok(blanked.length > 0, "the source yields contracts");
    assert.equal(blanked, extract(text, ".tsx"));
  });
}

test("a default parameter's arrow is printed whole", () => {
  const [[contract]] = extract(SOURCES["default parameter arrow"]!, ".ts") as [Contract, number][];
  assert.is(contract?.params[0]?.default, "() => { return 1; }");
});

test("bodies are blanked in place: offsets and lines kept", () => {
  const text = "export function a(x: number): number {\n  return x /* } */ + 1;\n}\nexport const b = 2;\n";
  const blanked = blankFunctionBodies(text);
  assert.ok(blanked);
  assert.is(blanked.text.length, text.length);
  assert.is(blanked.text, `export function a(x: number): number {\n${" ".repeat("  return x /* } */ + 1;".length)}\n}\nexport const b = 2;\n`);
});

test("the pass gives up on import.meta in a body (it makes the file a module)", () => {
  assert.is(blankFunctionBodies(SOURCES["import.meta in a body"]!), undefined);
  assert.ok(extract(SOURCES["import.meta in a body"]!, ".ts").length > 0);
});

test("the pass gives up where a `/` may be a division or a regular expression", () => {
  assert.is(blankFunctionBodies("export function a(x: number) {\n  let i = x; i++ / 2;\n}\n"), undefined);
});

test.run();
