// Issue 14, thirteenth adversarial pass: declarations a public signature reaches without being
// exported (API Extractor's ae-forgotten-export). Recorded only by name, a change inside one read
// as no change: a BREAKING change passed the gate. Each test fails on the build before its fix.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codesOf, CONTRACTS_CONFIG, gateAfterContractChange as gateAfterChange, gatehouse, withRepo, writeFiles } from "./harness.js";

/** Accepts, changes and gates: the finding codes (none on an ALLOW). */
function findingsAfterChange(name: string, files: Record<string, string>, change: Record<string, string>): string[] {
  return withRepo("contracts-reached", { "gatehouse.config.yaml": CONTRACTS_CONFIG, ...files }, (root) => {
    const accepted = gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 });
    assert.is(accepted.code, 0, `${name}: accept: ${accepted.stdout}${accepted.stderr}`);
    writeFiles(root, change);
    const run = gatehouse(["gate"], root, { timeoutMs: 60_000 });
    assert.is(run.code, run.stdout.trimEnd().endsWith("ALLOW") ? 0 : 1, `${name}: ${run.stdout}${run.stderr}`);
    return [...new Set(codesOf(run.stdout))];
  });
}

const RISKY = "contracts/risky-unapproved";

const OPTIONS = "interface Options {\n  timeout: number;\n  retries?: number;\n}\n\nexport function connect(o: Options): void {\n  void o;\n}\n";

test("issue 14 (contracts, forgotten export): a member of an unexported interface a parameter reaches, removed, retyped or made required, is BREAKING", () => {
  const cases: [string, string, string, string?][] = [
    ["member removed", OPTIONS.replace("  timeout: number;\n", ""), "src/index.ts#Options.timeout"],
    ["member retyped", OPTIONS.replace("timeout: number", "timeout: string"), "src/index.ts#Options.timeout"],
    // As for an exported interface: builders break, readers do not.
    ["optional member made required", OPTIONS.replace("retries?: number", "retries: number"), "src/index.ts#Options.retries", RISKY],
  ];
  for (const [name, text, symbol, finding] of cases) gateAfterChange({ name, files: { "src/index.ts": OPTIONS }, change: { "src/index.ts": text }, symbol, ...(finding ? { finding } : {}) });
});

test("issue 14 (contracts, forgotten export): an unexported alias, enum or class reached from a return, a property, a const type, a constraint or a heritage clause, and transitively", () => {
  const cases: [string, string, string, string, string?][] = [
    ["alias body narrowed (return)", 'type Mode = "a" | "b";\n\nexport function mode(): Mode {\n  return "a";\n}\n', '"a" | "b"', "src/index.ts#Mode", RISKY],
    ["enum member removed (parameter)", "enum Level {\n  Low,\n  High,\n}\n\nexport function level(l: Level): void {\n  void l;\n}\n", "  High,\n", "src/index.ts#Level.High"],
    ["class method retyped (const type)", "class Client {\n  send(body: string): void {\n    void body;\n  }\n}\n\nexport const client: Client = new Client();\n", "body: string", "src/index.ts#Client.send"],
    ["interface via exported interface property", "interface Inner {\n  id: number;\n}\n\nexport interface Outer {\n  inner: Inner;\n}\n", "id: number", "src/index.ts#Inner.id"],
    ["type parameter constraint", "interface Shape {\n  area: number;\n}\n\nexport function measure<T extends Shape>(s: T): T {\n  return s;\n}\n", "area: number", "src/index.ts#Shape.area"],
    ["implements clause", "interface Runner {\n  run(): void;\n}\n\nexport class Job implements Runner {\n  run(): void {}\n}\n", "  run(): void;\n", "src/index.ts#Runner.run"],
    ["transitive", "interface Deep {\n  depth: number;\n}\n\ninterface Mid {\n  deep: Deep;\n}\n\nexport function walk(m: Mid): void {\n  void m;\n}\n", "depth: number", "src/index.ts#Deep.depth"],
  ];
  const replacement: Record<string, string> = { '"a" | "b"': '"a"', "  High,\n": "", "body: string": "body: number", "id: number": "id: string", "area: number": "area: string", "  run(): void;\n": "", "depth: number": "depth: string" };
  for (const [name, text, from, symbol, finding] of cases) gateAfterChange({ name, files: { "src/index.ts": text }, change: { "src/index.ts": text.replace(from, replacement[from]!) }, symbol, ...(finding ? { finding } : {}) });
});

test("issue 14 (contracts, forgotten export): a reached type of a module an entry re-exports from is recorded under the entry", () => {
  const impl = "interface Options {\n  timeout: number;\n}\n\nexport function connect(o: Options): void {\n  void o;\n}\n";
  const files = { "package.json": JSON.stringify({ name: "pkg", version: "1.0.0", types: "./src/index.ts" }), "src/index.ts": 'export { connect } from "./impl";\n', "src/impl.ts": impl };
  gateAfterChange({ name: "re-exported", files, change: { "src/impl.ts": impl.replace("timeout: number", "timeout: string") }, symbol: "#Options.timeout" });
});

test("issue 14 (contracts, forgotten export): a type an internal module exports, imported by the module that declares a public function and re-exported by no entry, is reached (transitively), under its exported name", () => {
  const files = {
    "package.json": JSON.stringify({ name: "pkg", version: "1.0.0", types: "./src/index.ts" }),
    "src/index.ts": 'export { connect } from "./impl";\n',
    "src/impl.ts": 'import type { Options as Opts } from "./types";\n\nexport function connect(o: Opts): void {\n  void o;\n}\n',
    "src/types.ts": "interface Deep {\n  d: number;\n}\n\nexport interface Options {\n  timeout: number;\n  deep: Deep;\n}\n",
  };
  gateAfterChange({ name: "imported", files, change: { "src/types.ts": files["src/types.ts"].replace("timeout: number", "timeout: string") }, symbol: "#Options.timeout" });
  gateAfterChange({ name: "imported, transitive", files, change: { "src/types.ts": files["src/types.ts"].replace("d: number", "d: string") }, symbol: "#Deep.d" });
  // Re-exported by the entry, it is public; dropping the re-export removes it for callers that named it.
  const exported = { ...files, "src/index.ts": 'export { connect } from "./impl";\nexport type { Options } from "./types";\n' };
  gateAfterChange({ name: "re-export dropped", files: exported, change: { "src/index.ts": files["src/index.ts"] }, symbol: "#Options" });
  const codes = findingsAfterChange("re-exported", files, { "src/index.ts": exported["src/index.ts"] });
  assert.ok(codes.length === 0 || codes.join() === "contracts/registry-out-of-date", codes.join(", "));
});

test("issue 14 (contracts, forgotten export): no change where none is (an optional member added is SAFE, exporting the type, a type no longer reached, a private member's type, a type parameter named like a local)", () => {
  const outOfDate = ["contracts/registry-out-of-date"];
  const cases: [string, string, string][] = [
    ["optional member added", OPTIONS, OPTIONS.replace("retries?: number;", "retries?: number;\n  label?: string;")],
    ["exported", OPTIONS, `export ${OPTIONS}`],
    // The signature change that stopped reaching it is what is judged (here: a widening, SAFE).
    ["no longer reached", OPTIONS, OPTIONS.replace("o: Options", "o: unknown")],
    ["private member", "interface Secret {\n  key: string;\n}\n\nexport class Vault {\n  private secret?: Secret;\n}\n", "interface Secret {\n  key: number;\n}\n\nexport class Vault {\n  private secret?: Secret;\n}\n"],
    ["type parameter", "interface T {\n  x: number;\n}\n\nexport function id<T>(value: T): T {\n  return value;\n}\n", "interface T {\n  x: string;\n}\n\nexport function id<T>(value: T): T {\n  return value;\n}\n"],
  ];
  for (const [name, before, after] of cases) {
    const codes = findingsAfterChange(name, { "src/index.ts": before }, { "src/index.ts": after });
    assert.ok(codes.length === 0 || codes.join() === outOfDate.join(), `${name}: ${codes.join(", ")}`);
  }
});

test("issue 14 (contracts, forgotten export): an export that is now only reached (its export dropped) is removed for callers that named it", () => {
  gateAfterChange({ name: "export dropped", files: { "src/index.ts": `export ${OPTIONS}` }, change: { "src/index.ts": OPTIONS }, symbol: "src/index.ts#Options" });
});

const PY_OPTIONS = "from typing import TypedDict\n\n\nclass _Options(TypedDict):\n    timeout: int\n    retries: int\n\n\ndef connect(o: _Options) -> None:\n    pass\n";

test("issue 14 (contracts, forgotten export, Python): a field of a private TypedDict, or a method of a private class a public annotation reaches transitively, changed, is BREAKING", () => {
  gateAfterChange({ name: "TypedDict field removed", files: { "pkg/__init__.py": PY_OPTIONS }, change: { "pkg/__init__.py": PY_OPTIONS.replace("    retries: int\n", "") }, symbol: "pkg/__init__.py#_Options" });
  const impl = "class Session:\n    def send(self, body: str) -> None:\n        pass\n\n\ndef open_session() -> Session:\n    return Session()\n";
  // Session is public only in a private module: the package's annotation reaches it.
  const files = { "pkg/__init__.py": "from ._impl import open_session\n", "pkg/_impl.py": impl };
  gateAfterChange({ name: "class of a private module", files, change: { "pkg/_impl.py": impl.replace("body: str", "body: str, timeout: float") }, symbol: "pkg/__init__.py#Session.send" });
});

test("issue 14 (contracts, forgotten export, Python): re-exporting a reached class under its name is no change", () => {
  const impl = "class Session:\n    def send(self, body: str) -> None:\n        pass\n\n\ndef open_session() -> Session:\n    return Session()\n";
  const codes = findingsAfterChange("re-exported", { "pkg/__init__.py": "from ._impl import open_session\n", "pkg/_impl.py": impl }, { "pkg/__init__.py": "from ._impl import Session, open_session\n" });
  assert.ok(codes.length === 0 || codes.join() === "contracts/registry-out-of-date", codes.join(", "));
});

test("issue 14 (contracts, forgotten export): the registry records the reached declaration under the entry, marked unexported, renamed only on a collision", () => {
  const a = "interface Options {\n  a: number;\n}\n\nexport function fa(o: Options): void {\n  void o;\n}\n";
  const b = "interface Options {\n  b: number;\n}\n\nexport function fb(o: Options): void {\n  void o;\n}\n";
  withRepo("contracts-reached", { "gatehouse.config.yaml": CONTRACTS_CONFIG, "package.json": JSON.stringify({ name: "pkg", version: "1.0.0", types: "./src/index.ts" }), "src/index.ts": 'export { fa } from "./a";\nexport { fb } from "./b";\n', "src/a.ts": a, "src/b.ts": b }, (root) => {
    const accepted = gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 });
    assert.is(accepted.code, 0, accepted.stdout + accepted.stderr);
    const registry = JSON.parse(readFileSync(join(root, "contracts/registry.json"), "utf8")) as { contracts: { symbol: { name: string }; unexported?: boolean }[] };
    const reached = registry.contracts.filter((c) => c.unexported).map((c) => c.symbol.name);
    assert.equal(reached, ["Options", "Options.a", "Options@src/b", "Options@src/b.b"]);
    assert.ok(registry.contracts.filter((c) => !c.unexported).every((c) => !c.symbol.name.startsWith("Options")));
  });
});

test.run();
