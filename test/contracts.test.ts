// Contract extraction and classification over the old/new source pairs in test/contracts/pairs:
// every pair asserts its exact change codes and severities; the TypeScript pairs are also checked
// by the compiler (a consumer of the old API compiles against old, and against new unless the
// change is BREAKING).

import { readdirSync, readFileSync, existsSync, mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { CHANGE_CODES, diffContracts, typeRelation, unionMembers } from "../src/contracts/diff.js";
import { extractContracts } from "../src/contracts/extract.js";

const PAIRS = packagePath("test", "contracts", "pairs");
const SCENARIOS = packagePath("test", "contracts", "scenarios");
const pairNames = readdirSync(PAIRS).sort();

interface Expected {
  changes: { code: string; severity: string }[];
  compilerVisible?: boolean;
}

function expectedOf(name: string): Expected {
  return JSON.parse(readFileSync(join(PAIRS, name, "expected.json"), "utf8")) as Expected;
}

for (const name of pairNames) {
  test(`pair ${name}: exact change codes and severities`, async () => {
    const before = await extractContracts(join(PAIRS, name, "old"));
    const after = await extractContracts(join(PAIRS, name, "new"));
    assert.ok(before.contracts.length > 0, "the old side has contracts");
    const got = diffContracts(before.contracts, after.contracts).map((c) => ({ code: c.code, severity: c.severity }));
    assert.equal(got, expectedOf(name).changes);
  });
}

test("every change code has a pair and every pair's code exists", () => {
  const covered = new Set(pairNames.flatMap((n) => expectedOf(n).changes.map((c) => c.code)));
  for (const code of Object.keys(CHANGE_CODES)) assert.ok(covered.has(code), `no pair for ${code}`);
  for (const code of covered) assert.ok(code in CHANGE_CODES, `unknown code ${code}`);
  for (const severity of ["SAFE", "RISKY", "BREAKING"]) assert.ok(Object.values(CHANGE_CODES).some((c) => c.severity === severity));
});

test("TypeScript pairs: the compiler agrees with the verdict (one in-process Program)", () => {
  const tsPairs = pairNames.filter((n) => existsSync(join(PAIRS, n, "consumer.ts")));
  assert.ok(tsPairs.length >= 20);
  const virtual = new Map<string, string>();
  for (const name of tsPairs) {
    const consumer = readFileSync(join(PAIRS, name, "consumer.ts"), "utf8");
    for (const side of ["old", "new"]) {
      // package.json too: a pair about entry points imports its own package by name.
      for (const file of readdirSync(join(PAIRS, name, side))) virtual.set(`/pairs/${name}/${side}/${file}`, readFileSync(join(PAIRS, name, side, file), "utf8"));
      virtual.set(`/pairs/${name}/${side}/consumer.ts`, consumer);
    }
  }
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ["lib.es2022.d.ts"], types: [], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.directoryExists = (d) => d === "/pairs" || d.startsWith("/pairs/") || (directoryExists?.(d) ?? false);
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.readFile = (f) => virtual.get(f) ?? readFile(f);
  host.getSourceFile = (f, version, onError, shouldCreate) =>
    virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, version) : getSourceFile(f, version, onError, shouldCreate);
  const isTs = (file: string) => /\.[mc]?tsx?$/.test(file);
  const program = ts.createProgram([...virtual.keys()].filter(isTs), options, host);
  const errorsIn = (file: string) => {
    const source = program.getSourceFile(file);
    assert.ok(source, `${file} is in the program`);
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  };
  for (const name of tsPairs) {
    const expected = expectedOf(name);
    const breaking = expected.changes.some((c) => c.severity === "BREAKING");
    assert.equal(errorsIn(`/pairs/${name}/old/consumer.ts`), [], `${name}: the consumer compiles against the old API`);
    for (const side of ["old", "new"]) {
      for (const file of readdirSync(join(PAIRS, name, side)).filter(isTs)) assert.equal(errorsIn(`/pairs/${name}/${side}/${file}`), [], `${name}: ${side}/${file} compiles`);
    }
    const newErrors = errorsIn(`/pairs/${name}/new/consumer.ts`);
    if (breaking && expected.compilerVisible !== false) assert.ok(newErrors.length > 0, `${name}: BREAKING, so the consumer must fail against the new API`);
    else assert.equal(newErrors, [], `${name}: not BREAKING (or not visible to the compiler), so the consumer still compiles`);
  }
});

// Pairs where text alone says BREAKING and the checker proves every old caller still compiles.
const CHECKER_DECIDES: Record<string, string[]> = {
  "none-alias-respelled-ts": ["contracts/param-type-changed", "contracts/return-type-changed"],
  "none-alias-widened-param-ts": ["contracts/param-type-changed", "contracts/symbol-added"],
  // The unexported Options the signatures reach is rebuilt from its records, not an opaque name.
  "none-forgotten-indexed-ts": ["contracts/param-type-changed"],
  "none-generic-default-ts": ["contracts/param-type-changed"],
  "none-generic-return-ts": ["contracts/return-type-changed"],
  "none-interface-to-alias-ts": ["contracts/kind-changed"],
  "none-readonly-array-param-ts": ["contracts/param-type-changed"],
};

test("the checker decides where types differ textually; syntax alone would call these BREAKING", async () => {
  for (const [name, syntaxCodes] of Object.entries(CHECKER_DECIDES)) {
    const before = await extractContracts(join(PAIRS, name, "old"));
    const after = await extractContracts(join(PAIRS, name, "new"));
    const codes = (options: { checker?: boolean }) => diffContracts(before.contracts, after.contracts, options).map((c) => c.code).sort();
    assert.equal(codes({ checker: false }), syntaxCodes, `${name}: syntax verdict`);
    assert.equal(codes({}), expectedOf(name).changes.map((c) => c.code).sort(), `${name}: checker verdict`);
  }
});

test("the checker's verdicts hold when a declaration cannot be rebuilt: syntax decides (fail-closed)", async () => {
  const before = await extractContracts(join(PAIRS, "none-readonly-array-param-ts", "old"));
  const after = await extractContracts(join(PAIRS, "none-readonly-array-param-ts", "new"));
  // A type the compiler rejects (`Patch[` is not a type) leaves the question to syntax.
  const broken = after.contracts.map((c) => (c.symbol.name === "apply" ? { ...c, params: [{ ...c.params[0]!, type: "readonly Patch[" }] } : c));
  assert.equal(diffContracts(before.contracts, broken).map((c) => c.code), ["contracts/param-type-changed"]);
});

for (const name of readdirSync(SCENARIOS).sort()) {
  test(`scenario ${name}: the public surface, the same in syntax and --types mode`, async () => {
    const expected = JSON.parse(readFileSync(join(SCENARIOS, name, "expected.json"), "utf8")) as { contracts: string[] };
    for (const types of [false, true]) {
      const { contracts, findings } = await extractContracts(join(SCENARIOS, name), { types });
      assert.equal(contracts.map((c) => `${c.symbol.module}#${c.symbol.name}:${c.kind}`), expected.contracts, `${name}, types: ${types}`);
      assert.equal(findings, []);
    }
  });
}

test("scenario dts-package: members carry optional, readonly, static and types", async () => {
  const { contracts } = await extractContracts(join(SCENARIOS, "dts-package"));
  const get = (name: string) => contracts.find((c) => c.symbol.name === name)!;
  assert.equal([get("Client.url").readonly, get("Client.id").readonly, get("Client.create").static, get("Client.config").optional], [undefined, true, true, true]);
  assert.equal(get("Options").typeParams, [{ name: "T", default: "string" }]);
  assert.equal([get("Options.name").readonly, get("Options.retries").type, get("Options.[string]").type], [true, "number", "unknown"]);
  assert.equal([get("Level.Low").type, get("VERSION").type, get("Handler").type], ["0", "string", "(options: Options) => void"]);
  assert.equal(get("format").params, [{ name: "value", required: true, type: "string" }, { name: "locale", required: false, type: "string" }]);
  assert.equal(get("default").params, [{ name: "name", required: true, type: "string" }]);
});

test("scenario declare-module: the compiler exports what extraction does from each block", () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-"));
  try {
    const typings = join(SCENARIOS, "declare-module", "typings.d.ts").replace(/\\/g, "/");
    const consumer = join(dir, "consumer.ts");
    // One line per import: the error lines say which names a block does not export.
    const lines = ["import { add, secondsInDay, type Span } from 'clock'", "import addDefault from 'clock/add'", "import { hours } from 'clock/parts'", "import tick = require('clock/tick')", "import { helper } from 'clock/parts'", "import { hidden } from 'clock/tick'", "import { augment } from 'clock'"];
    writeFileSync(consumer, `/// <reference path=${JSON.stringify(typings)} />\n${lines.join("\n")}\nvoid [add, secondsInDay, addDefault, hours, tick, helper, hidden, augment]; export type S = Span;\n`);
    const program = ts.createProgram([consumer], { strict: true, noEmit: true, module: ts.ModuleKind.CommonJS, types: [] });
    const errorLines = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === consumer.replace(/\\/g, "/")).map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line);
    assert.equal([...new Set(errorLines)].sort(), [5, 6, 7]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("declare module blocks are the API only in the package's entry script, and a block change is a contract change", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-"));
  const block = "declare module 'clock' {\n  function add(time: number, amount: number): number\n}\n";
  const surface = async () => (await extractContracts(dir)).contracts.map((c) => `${c.symbol.module}#${c.symbol.name}:${c.kind}`);
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "clock", types: "index.d.ts" }));
    // A module (it exports) augments 'clock' with its block: only its own export is API.
    writeFileSync(join(dir, "index.d.ts"), `export declare const own: number\n${block}`);
    assert.equal(await surface(), ["clock#own:const"]);
    // A script that is not the entry: its blocks are not read.
    writeFileSync(join(dir, "index.d.ts"), "/// <reference path=\"./blocks.d.ts\" />\nexport declare const own: number\n");
    writeFileSync(join(dir, "blocks.d.ts"), block);
    assert.equal(await surface(), ["clock#own:const"]);
    // Without a package name there is no package to match a block's name against.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ types: "index.d.ts" }));
    writeFileSync(join(dir, "index.d.ts"), block);
    const { findings } = await extractContracts(dir);
    assert.equal(findings.map((f) => f.code), ["contracts/extract-empty"]);
    // The entry script of a named package: the block is the module `clock`, and a removed parameter breaks.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "clock", types: "index.d.ts" }));
    const before = (await extractContracts(dir)).contracts;
    writeFileSync(join(dir, "index.d.ts"), block.replace(", amount: number", ""));
    const after = (await extractContracts(dir)).contracts;
    assert.equal(before.map((c) => `${c.symbol.module}#${c.symbol.name}`), ["clock#add"]);
    assert.equal(diffContracts(before, after).map((c) => `${c.code} ${c.severity}`), ["contracts/param-removed BREAKING"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("extraction findings: an unresolved package entry, and sources that yield no contracts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ main: "dist/missing.js" }));
    writeFileSync(join(dir, "index.js"), "var x = 1;\nsetTimeout(function () { x++; }, 1);\n");
    const { contracts, findings } = await extractContracts(dir);
    assert.equal(contracts, []);
    assert.equal(findings.map((f) => f.code), ["contracts/extract-unresolved-entry", "contracts/extract-empty"]);
    assert.match(findings[1]!.message, "1 source files yield no contracts");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("re-exports: export *, export { x as y } from, import-then-export, barrels", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-"));
  try {
    mkdirSync(join(dir, "lib"));
    // a.ts re-exports the barrel that re-exports it: the cycle must terminate.
    writeFileSync(join(dir, "lib", "a.ts"), 'export function alpha(x: string): string { return x; }\nfunction hidden(): void {}\nexport { hidden as shown };\nexport * from "./index.js";\n');
    writeFileSync(join(dir, "lib", "b.ts"), "/** @sideEffect network\n * @owner team-b */\nexport const beta = async (n: number = 2): Promise<number> => n;\nexport class Gamma { run(): void {} private p(): void {} protected q(): void {} }\n");
    writeFileSync(join(dir, "lib", "index.ts"), 'export * from "./a.js";\nexport { beta as betaRenamed } from "./b.js";\nimport { Gamma } from "./b.js";\nexport { Gamma };\n');
    writeFileSync(join(dir, "index.ts"), 'export * from "./lib/index.js";\nexport * from "left-pad";\n');
    const { contracts } = await extractContracts(dir, { entries: ["index.ts"] });
    assert.equal(contracts.map((c) => `${c.symbol.module}#${c.symbol.name}:${c.kind}`), [
      "index.ts#Gamma:class",
      "index.ts#Gamma.run:method",
      "index.ts#alpha:function",
      "index.ts#betaRenamed:function",
      "index.ts#shown:function",
    ]);
    const beta = contracts.find((c) => c.symbol.name === "betaRenamed")!;
    assert.equal(beta.params, [{ name: "n", required: false, type: "number", default: "2" }]);
    assert.equal(beta.sideEffects, ["network"]);
    assert.equal(beta.owners, ["team-b"]);
    assert.equal(beta.returns, { type: "Promise<number>" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--types mode adds the checker's inferred return type", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-"));
  try {
    writeFileSync(join(dir, "m.ts"), "export function twice(n: number) { return [n, n] as const; }\n");
    const syntax = await extractContracts(dir);
    assert.equal(syntax.contracts[0]!.returns, {});
    const typed = await extractContracts(dir, { types: true });
    assert.equal(typed.contracts[0]!.returns, { inferred: "readonly [number, number]" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Python: __all__, _private, parameter kinds, docstring tags, methods, gitignore and tests skipped", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-"));
  try {
    mkdirSync(join(dir, "tests"));
    mkdirSync(join(dir, "build"));
    writeFileSync(join(dir, ".gitignore"), "generated.py\n");
    writeFileSync(join(dir, "generated.py"), "def gen():\n    pass\n");
    writeFileSync(join(dir, "tests", "test_x.py"), "def test_a():\n    pass\n");
    writeFileSync(join(dir, "build", "out.py"), "def built():\n    pass\n");
    writeFileSync(
      join(dir, "svc.py"),
      'class Mailer:\n    """Sends mail.\n\n    @owner comms\n    @stable\n    """\n\n    def __init__(self, host: str, port: int = 25):\n        pass\n\n    async def send(self, to, /, body, *rest, cc=None, **headers) -> bool:\n        """@sideEffect external-send approval-gated\n        @throws SMTPError\n        """\n\n    @staticmethod\n    def parse(raw):\n        pass\n\n    @property\n    def host(self):\n        return 1\n\n    @host.setter\n    def host(self, v):\n        pass\n\n    def _internal(self):\n        pass\n\n\n@overload\ndef conv(x: int) -> int: ...\n@overload\ndef conv(x: str) -> str: ...\ndef conv(x):\n    return x\n',
    );
    const { files, contracts } = await extractContracts(dir);
    assert.equal(files, ["svc.py"]);
    assert.equal(contracts.map((c) => c.symbol.name), ["Mailer", "Mailer.host", "Mailer.parse", "Mailer.send", "conv"]);
    const [mailer, host, parse, send, conv] = contracts;
    // A property with a setter is a writable attribute, not a method.
    assert.equal([host!.kind, host!.readonly], ["property", undefined]);
    assert.equal(conv!.params, [{ name: "x", required: true, kind: "positional-or-keyword" }]);
    assert.equal(mailer!.params.map((p) => [p.name, p.kind, p.required, p.type, p.default]), [["host", "positional-or-keyword", true, "str", undefined], ["port", "positional-or-keyword", false, "int", "25"]]);
    assert.equal(mailer!.owners, ["comms"]);
    assert.equal(parse!.params.map((p) => p.name), ["raw"]);
    assert.equal(send!.params.map((p) => [p.name, p.kind]), [["to", "positional-only"], ["body", "positional-or-keyword"], ["rest", "var-positional"], ["cc", "keyword-only"], ["headers", "var-keyword"]]);
    assert.equal(send!.async, true);
    assert.equal(send!.sideEffects, ["external-send approval-gated"]);
    assert.equal(send!.errors, ["SMTPError"]);
    assert.equal(send!.stability, { level: "stable" });
    assert.equal(send!.returns, { type: "bool" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 20.3 (Python): overloads through typing aliases, private modules, renamed *args, property with a comment", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-py-"));
  try {
    const side = (name: string, text: string, extra: Record<string, string> = {}) => {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, "api.py"), text);
      for (const [file, content] of Object.entries(extra)) writeFileSync(join(dir, name, file), content);
      return join(dir, name);
    };
    const stubs = (impl: string) =>
      `import typing as t\nfrom typing import overload as ov\n\n@t.overload\ndef conv(x: int) -> int: ...\n@ov\ndef conv(x: str) -> str: ...\ndef conv(${impl}):\n    return x\n\nclass Box:\n    @property  # type: ignore\n    def size(self):\n        return 1\n\ndef log(*args, **kwargs):\n    pass\n`;
    const old = side("old", stubs("x"), { "_compat.py": "def shim():\n    pass\n" });
    const fresh = side("new", stubs("x, strict=False").replace("*args, **kwargs", "*values, **options"), { "_compat.py": "def other():\n    pass\n" });
    const before = await extractContracts(old);
    const after = await extractContracts(fresh);
    // The implementation is the contract (not the first stub), _compat.py is private, a
    // commented @property is no method.
    assert.equal(before.contracts.map((c) => [c.symbol.name, c.kind]), [["Box", "class"], ["Box.size", "property"], ["conv", "function"], ["log", "function"]]);
    assert.equal(before.contracts.find((c) => c.symbol.name === "conv")!.params.map((p) => p.name), ["x"]);
    assert.equal(diffContracts(before.contracts, after.contracts).map((c) => [c.code, c.param]), [["contracts/param-optional-added", "strict"]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("type relations: union members, reordering, any", () => {
  assert.equal(unionMembers("A<B | C> | { a: 1 | 2 } | 'x|y'"), ["A<B | C>", "{ a: 1 | 2 }", "'x|y'"]);
  assert.is(typeRelation("string | number", "number | string"), "same");
  assert.is(typeRelation("string", "string | null"), "widened");
  assert.is(typeRelation("string | null", "string"), "narrowed");
  assert.is(typeRelation("string", "number"), "changed");
  assert.is(typeRelation(undefined, "string"), "narrowed");
  assert.is(typeRelation("string", "unknown"), "widened");
});

test.run();
