// Issue 14, eleventh adversarial pass: exports the public API reaches that contract extraction
// missed, so a breaking change to them read as no change and the gate allowed it. Each case
// accepts the registry, makes a breaking change to the missed symbol and gates: DENY naming it.

import { rmSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CONTRACTS_CONFIG as CONFIG, gateAfterContractChange, gatehouse, repo, writeFiles as write, type ContractCase } from "./harness.js";

/** The breaking change to `symbol` denies, naming it. */
function assertBreakingDenied(c: ContractCase & { symbol: string }): void {
  gateAfterContractChange(c);
}

test("issue 14.3 (contracts): a module under a directory the contract glob leaves out (env/, build/, test/, contracts.exclude) that a public module re-exports is API: a breaking change to it denies", () => {
  for (const dir of ["env", "build", "out", "test"]) {
    assertBreakingDenied({
      name: `${dir}/`,
      files: {
        "src/index.ts": `export * from "./${dir}/config";\nexport function hello(name: string): string { return name; }\n`,
        [`src/${dir}/config.ts`]: "export function loadConfig(path: string): string { return path; }\n",
      },
      change: { [`src/${dir}/config.ts`]: "export function loadConfig(path: string, mode: number): string { return path; }\n" },
      symbol: "src/index.ts#loadConfig",
    });
  }
  assertBreakingDenied({
    name: "contracts.exclude",
    files: {
      "gatehouse.config.yaml": `${CONFIG}contracts:\n  exclude: ["src/internal/**"]\n`,
      "src/index.ts": 'export { connect } from "./internal/db";\n',
      "src/internal/db.ts": "export function connect(url: string): void {}\n",
    },
    change: { "src/internal/db.ts": "export function connect(url: string, workspaceId: string): void {}\n" },
    symbol: "src/index.ts#connect",
  });
});

test("issue 14.3 (contracts): a module a subpath pattern of package.json exports makes public (\"./*\": \"./dist/*.js\") is API, mapped back to its source; a null pattern still hides what it matches", () => {
  const pkg = JSON.stringify({ name: "pkg", exports: { ".": "./dist/index.js", "./*": "./dist/*.js", "./internal/*": null } });
  assertBreakingDenied({
    name: "./* to source",
    files: { "package.json": pkg, "src/index.ts": "export function main(a: string): void {}\n", "src/util/format.ts": "export function fmt(a: string): string { return a; }\n" },
    change: { "src/util/format.ts": "export function fmt(a: string, b: number): string { return a; }\n" },
    symbol: "pkg/util/format#fmt",
  });
  assertBreakingDenied({
    name: "./features/* to built JavaScript",
    files: {
      "package.json": JSON.stringify({ name: "pkg", exports: { ".": "./lib/index.js", "./features/*": "./lib/features/*.js" } }),
      "lib/index.js": "exports.main = function (a) {};\n",
      "lib/features/send.js": "exports.send = function (to) {};\n",
    },
    change: { "lib/features/send.js": null },
    symbol: "pkg/features/send#send",
  });
  // A pattern whose target leaves the package ("/*.js", "./../*.js") is not walked: Node refuses it,
  // and globbing it would read the machine's whole file system.
  const outside = repo("eleventh-contracts-outside", {
    "gatehouse.config.yaml": CONFIG,
    "package.json": JSON.stringify({ name: "pkg", exports: { ".": "./src/index.ts", "./*": "/*.js", "./up/*": "./../../*.js", "./mid/*": "./x/../../*.js" } }),
    "src/index.ts": "export function main(a: string): void {}\n",
  });
  try {
    const accepted = gatehouse(["contracts", "accept"], outside, { timeoutMs: 20_000 });
    assert.is(accepted.code, 0, accepted.stdout + accepted.stderr);
    assert.ok(!accepted.timedOut);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
  // Blocked by the null pattern: not API, so changing it is no contract change.
  const root = repo("eleventh-contracts-null", {
    "gatehouse.config.yaml": CONFIG,
    "package.json": pkg,
    "src/index.ts": "export function main(a: string): void {}\n",
    "src/internal/x.ts": "export function hidden(a: string): void {}\n",
  });
  try {
    assert.is(gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 }).code, 0);
    write(root, { "src/internal/x.ts": "export function hidden(a: string, b: string): void {}\n" });
    const diff = gatehouse(["contracts", "diff"], root, { timeoutMs: 60_000 });
    assert.is(diff.code, 0, diff.stdout + diff.stderr);
    assert.ok(!diff.stdout.includes("hidden"), diff.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.3 (contracts): a name a destructuring export binds (export const { a, b } = impl, export const [x] = pair) is a contract: removing it denies", () => {
  assertBreakingDenied({
    name: "object pattern",
    files: { "src/index.ts": 'import { makeApi } from "./impl";\nexport const { getUser, deleteUser: removeUser } = makeApi();\n', "src/impl.ts": "export function makeApi() { return { getUser: (id: string) => id, deleteUser: (id: string) => id }; }\n" },
    change: { "src/index.ts": 'import { makeApi } from "./impl";\nexport const { getUser } = makeApi();\n' },
    symbol: "src/index.ts#removeUser",
  });
  assertBreakingDenied({
    name: "array pattern",
    files: { "src/index.ts": "const pair = [(a: string) => a, (b: number) => b] as const;\nexport const [first, second] = pair;\n" },
    change: { "src/index.ts": "const pair = [(a: string) => a] as const;\nexport const [first] = pair;\n" },
    symbol: "src/index.ts#second",
  });
});

test("issue 14.3 (contracts): export import x = require(\"./x\") re-exports x's API from an entry point", () => {
  assertBreakingDenied({
    name: "export import",
    files: {
      "package.json": JSON.stringify({ name: "pkg", types: "src/index.ts" }),
      "src/index.ts": 'export import billing = require("./billing");\nexport function main(): void {}\n',
      "src/billing.ts": "export function charge(amount: number): void {}\n",
    },
    change: { "src/billing.ts": "export function charge(amount: number, currency: string): void {}\n" },
    symbol: "pkg#billing.charge",
  });
});

test("issue 14.3 (contracts): the CommonJS a compiler emits is read: tsc's Object.defineProperty getters and __exportStar, Babel's Object.keys(...).forEach, exports[\"x\"], Object.assign(module.exports, ...)", () => {
  const pkg = JSON.stringify({ name: "pkg", main: "lib/index.js" });
  const helper = "exports.h = function (z) {};\n";
  const star = "exports.s = function (z) {};\n";
  const cases: [string, string, string, string][] = [
    ["tsc re-export getter", 'var helper_1 = require("./helper");\nObject.defineProperty(exports, "renamed", { enumerable: true, get: function () { return helper_1.h; } });\n', "lib/helper.js", "pkg#renamed"],
    ["tsc export star", 'Object.defineProperty(exports, "__esModule", { value: true });\n__exportStar(require("./star"), exports);\n', "lib/star.js", "pkg#s"],
    ["tslib export star", 'var tslib_1 = require("tslib");\ntslib_1.__exportStar(require("./star"), exports);\n', "lib/star.js", "pkg#s"],
    ["babel export star", 'var _star = require("./star");\nObject.keys(_star).forEach(function (key) {\n  if (key === "default") return;\n  Object.defineProperty(exports, key, { enumerable: true, get: function () { return _star[key]; } });\n});\n', "lib/star.js", "pkg#s"],
    ["tsc export * as", 'exports.ns = __importStar(require("./helper"));\n', "lib/helper.js", "pkg#ns.h"],
    ["Object.assign", 'Object.assign(module.exports, require("./star"));\n', "lib/star.js", "pkg#s"],
  ];
  for (const [name, index, file, symbol] of cases) {
    assertBreakingDenied({ name, files: { "package.json": pkg, "lib/index.js": index, "lib/helper.js": helper, "lib/star.js": star }, change: { [file]: "exports.other = function () {};\n" }, symbol });
  }
  for (const [name, index, symbol] of [
    ["exports[\"x\"]", 'exports["charge"] = function (amount) {};\n', "pkg#charge"],
    ["module.exports['x']", "module.exports['charge'] = function (amount) {};\n", "pkg#charge"],
    ["Object.assign literal", "Object.assign(module.exports, { charge(amount) {} });\n", "pkg#charge"],
    ["defineProperty value", 'Object.defineProperty(exports, "charge", { value: function (amount) {} });\n', "pkg#charge"],
  ] as const) {
    assertBreakingDenied({ name, files: { "package.json": pkg, "lib/index.js": index }, change: { "lib/index.js": "exports.other = function () {};\n" }, symbol });
  }
});

test("issue 14.3 (contracts): a type guard or assertion signature that loses its predicate (a is string to boolean, asserts a is string to void) is BREAKING, not the same boolean", () => {
  for (const [name, before, after, symbol] of [
    ["type guard", "export function isName(a: unknown): a is string { return typeof a === \"string\"; }\n", "export function isName(a: unknown): boolean { return typeof a === \"string\"; }\n", "src/index.ts#isName"],
    ["assertion", "export function assertName(a: unknown): asserts a is string {}\n", "export function assertName(a: unknown): void {}\n", "src/index.ts#assertName"],
    ["guard on another parameter", "export function check(a: unknown, b: unknown): a is string { return true; }\n", "export function check(a: unknown, b: unknown): b is string { return true; }\n", "src/index.ts#check"],
    ["method guard", "export class Users { isAdmin(u: unknown): u is { admin: true } { return true; } }\n", "export class Users { isAdmin(u: unknown): boolean { return true; } }\n", "src/index.ts#Users.isAdmin"],
  ] as const) {
    assertBreakingDenied({ name, files: { "src/index.ts": before }, change: { "src/index.ts": after }, symbol });
  }
});

test("issue 14.3 (contracts, Python): a public function written as a module-level lambda (process = lambda x, y: ...) is a contract: a removed parameter denies", () => {
  assertBreakingDenied({
    name: "lambda",
    files: { "pkg/__init__.py": "def other():\n    pass\n\nprocess = lambda record, workspace_id: record\n" },
    change: { "pkg/__init__.py": "def other():\n    pass\n\nprocess = lambda record: record\n" },
    symbol: "pkg/__init__.py#process",
  });
});

test("issue 14.3 (invariants): a data-access or summary method callers run (a class's, static or not, an exported object's) is held to the never-break invariant like a function; a class whose constructor takes the tenant, and interface members, are not", () => {
  const root = repo("eleventh-invariant-methods", {
    "gatehouse.config.yaml": 'version: 1\npack:\n  use: enterprise-compliance@1.0\ncollectors:\n  contracts: {}\ncontracts:\n  invariants:\n    dataAccessModules: ["src/db/**"]\n    summaryModules: ["src/briefs/**"]\n',
    "src/db/invoices.ts": [
      "export function getInvoice(workspaceId: string, id: string): void {}",
      "export class InvoiceRepo {",
      "  listAll(limit: number): string[] { return []; }",
      "  static purge(): void {}",
      "}",
      "export class ScopedRepo {",
      "  constructor(workspaceId: string) {}",
      "  list(): string[] { return []; }",
      "}",
      "export const invoices = { remove(id: string) {} };",
      "export interface Store { get(id: string): void }",
      "",
    ].join("\n"),
    "src/briefs/writer.ts": "export class BriefWriter { summarize(text: string): string { return text; } }\n",
  });
  try {
    assert.is(gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 }).code, 0);
    const run = gatehouse(["gate"], root, { timeoutMs: 60_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    const invariant = (code: string) => run.stdout.split("\n").filter((l) => l.startsWith("FAIL") && l.includes(`[${code}]`)).map((l) => /\] (\S+):/.exec(l)?.[1]);
    assert.equal(invariant("contracts/invariant-tenant-param"), ["src/db/invoices.ts#InvoiceRepo.listAll", "src/db/invoices.ts#InvoiceRepo.purge", "src/db/invoices.ts#invoices.remove"]);
    assert.equal(invariant("contracts/invariant-evidence"), ["src/briefs/writer.ts#BriefWriter.summarize"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.3 (contracts): members an exported class or interface inherits from an unexported base in its module are its contracts: a breaking change to the base's member denies", () => {
  assertBreakingDenied({
    name: "class",
    files: { "src/index.ts": "class Base {\n  run(job: string): void {}\n  static create(): void {}\n}\nexport class Worker extends Base {}\n" },
    change: { "src/index.ts": "class Base {\n  run(job: string, workspaceId: string): void {}\n  static create(): void {}\n}\nexport class Worker extends Base {}\n" },
    symbol: "src/index.ts#Worker.run",
  });
  assertBreakingDenied({
    name: "interface, two levels",
    files: { "src/index.ts": "interface Root { close(): void }\ninterface Mid extends Root { send(to: string): void }\nexport interface Client extends Mid {}\n" },
    change: { "src/index.ts": "interface Root { close(): void }\ninterface Mid extends Root {}\nexport interface Client extends Mid {}\n" },
    symbol: "src/index.ts#Client.send",
  });
});

test("issue 14.3 (contracts): a function that stops or starts being async, with no declared return type to say so (Python async def, a TypeScript async function without an annotation), is BREAKING", () => {
  assertBreakingDenied({ name: "python async def to def", files: { "pkg/__init__.py": "async def fetch(url):\n    pass\n" }, change: { "pkg/__init__.py": "def fetch(url):\n    pass\n" }, symbol: "pkg/__init__.py#fetch" });
  assertBreakingDenied({ name: "python def to async def", files: { "pkg/__init__.py": "def fetch(url):\n    pass\n" }, change: { "pkg/__init__.py": "async def fetch(url):\n    pass\n" }, symbol: "pkg/__init__.py#fetch" });
  assertBreakingDenied({ name: "typescript", files: { "src/index.ts": "export async function load(id: string) { return id.length; }\n" }, change: { "src/index.ts": "export function load(id: string) { return id.length; }\n" }, symbol: "src/index.ts#load" });
});

test("issue 14.3 (contracts, Python): members a public class inherits from a private base of its module (class Worker(_Base)) are its contracts: a breaking change to the base denies", () => {
  assertBreakingDenied({
    name: "private base",
    files: { "pkg/__init__.py": "class _Base:\n    def run(self, job):\n        pass\n\nclass Worker(_Base):\n    def stop(self):\n        pass\n" },
    change: { "pkg/__init__.py": "class _Base:\n    def run(self, job, workspace_id):\n        pass\n\nclass Worker(_Base):\n    def stop(self):\n        pass\n" },
    symbol: "pkg/__init__.py#Worker.run",
  });
});

test("issue 14.3 (contracts): an exported object frozen on the way out (export const api = Object.freeze({ ... })) keeps its members as contracts, as the bare literal does", () => {
  assertBreakingDenied({
    name: "Object.freeze",
    files: { "src/index.ts": "export const api = Object.freeze({ run(job: string) {}, stop() {} });\n" },
    change: { "src/index.ts": "export const api = Object.freeze({ stop() {} });\n" },
    symbol: "src/index.ts#api.run",
  });
});

test.run();
