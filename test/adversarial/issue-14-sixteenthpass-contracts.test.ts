// Issue 14, sixteenth adversarial pass (contracts): parts of a package's public API that contract
// extraction did not see, so removing or changing them read as no change and the gate allowed a
// BREAKING change. Each case accepts the registry, makes the change and gates.
//
// 1. Python attributes outside annotations: what `__init__` assigns to the instance (`self.url =
//    url`, `self.a, self.b = ...`, in an `if` too) and unannotated class attributes (`limit = 10`,
//    a method alias `close = shutdown`) are a class's API (griffe reports them), yet only annotated
//    class-level attributes were contracts: `obj.url` or `C.limit` vanished unseen.
// 2. A hand-written declaration file beside its source (`"types": "index.d.ts"`, an `exports`
//    types condition, a root index.d.ts beside index.js) is what a consumer's compiler reads, but
//    the entry was mapped to index.ts: a member removed from or changed in the .d.ts went unseen.
//    Only when the project's tsconfig emits that file from the source is the source read.
// 3. A JavaScript module's `@typedef` / `@callback` types (which the compiler exports, and which
//    `@param {Options}` names) were no contracts: a property removed from a typedef, a nested one,
//    or the typedef itself, read as no change.
// 4. The same class as 1 in JavaScript: a JS class's properties are what its constructor assigns
//    (`this.url = url`, typed by `@type`), as the compiler declares them; they were no contracts.

import { test } from "uvu";
import { gateAfterContractChange as gateAfterChange } from "./harness.js";

const INIT = (body: string) => `class Client:\n    def __init__(self, url: str) -> None:\n${body}\n\n    def run(self) -> None:\n        self.later = 1\n`;

test("issue 14.3 (contracts, sixteenth pass): an instance attribute __init__ assigns (plain, annotated, unpacked, chained, in a branch) is API: removing it is BREAKING", () => {
  const cases: [string, string, string, string][] = [
    ["self.x = x", "        self.url = url\n        self.retries = 3", "        self.url = url", "Client.retries"],
    ["annotated", "        self.url = url\n        self.timeout: float = 5.0", "        self.url = url", "Client.timeout"],
    ["tuple target", "        self.host, self.port = url.split(':')", "        self.host = url", "Client.port"],
    ["chained", "        self.a = self.b = 0", "        self.a = 0", "Client.b"],
    ["in an if", "        if url:\n            self.session = object()", "        pass", "Client.session"],
  ];
  for (const [name, before, after, member] of cases) {
    gateAfterChange({ name, files: { "pkg/__init__.py": INIT(before) }, change: { "pkg/__init__.py": INIT(after) }, symbol: `pkg/__init__.py#${member}` });
  }
});

test("issue 14.3 (contracts, sixteenth pass): what is not the instance's public API stays out: a private attribute, one another method sets, one a nested function sets", () => {
  const before = "        self._cache = {}\n        def later():\n            self.inner = 1\n        self.url = url";
  gateAfterChange({ name: "private, nested, other method", files: { "pkg/__init__.py": INIT(before) }, change: { "pkg/__init__.py": INIT("        self.url = url").replace("        self.later = 1\n", "        pass\n") } });
});

test("issue 14.3 (contracts, sixteenth pass): an unannotated class attribute (limit = 10) and a method alias (close = shutdown) are API: removing them is BREAKING", () => {
  const cls = (extra: string) => `class Pool:\n    limit = 10\n${extra}\n    def shutdown(self, wait: bool = True) -> None:\n        pass\n`;
  gateAfterChange({ name: "class attribute", files: { "pkg/__init__.py": cls("    name = 'pool'\n") }, change: { "pkg/__init__.py": cls("") }, symbol: "pkg/__init__.py#Pool.name" });
  const alias = (params: string) => `class Pool:\n    def shutdown(self${params}) -> None:\n        pass\n\n    close = shutdown\n`;
  gateAfterChange({ name: "method alias", files: { "pkg/__init__.py": alias(", wait: bool = True") }, change: { "pkg/__init__.py": alias("") }, symbol: "pkg/__init__.py#Pool.close" });
  // The name a later `def` rebinds is that method, not the attribute.
  gateAfterChange({
    name: "rebound by a def",
    files: { "pkg/__init__.py": "class Pool:\n    size = 1\n\n    def size(self, n: int) -> int:\n        return n\n" },
    change: { "pkg/__init__.py": "class Pool:\n    size = 1\n\n    def size(self) -> int:\n        return 1\n" },
    symbol: "pkg/__init__.py#Pool.size",
  });
});

const SOURCE = "export function hello(name: string): string {\n  return name;\n}\n";
const DECLARED = (extra: string) => `export declare function hello(name: string): string;\n${extra}`;

test("issue 14.3 (contracts, sixteenth pass): a declaration file package.json names beside its .ts source is the API: removing or changing a member of it is BREAKING", () => {
  const manifests: [string, object][] = [
    ["types field", { name: "pkg", version: "1.0.0", main: "index.js", types: "index.d.ts" }],
    ["exports types condition", { name: "pkg", version: "1.0.0", exports: { ".": { types: "./index.d.ts", default: "./index.js" } } }],
    ["root index.d.ts beside index.js", { name: "pkg", version: "1.0.0", main: "index.js" }],
  ];
  for (const [name, manifest] of manifests) {
    const files = { "package.json": JSON.stringify(manifest), "index.ts": SOURCE, "index.js": "exports.hello = (n) => n;\n", "index.d.ts": DECLARED("export declare const VERSION: string;\n") };
    gateAfterChange({ name: `${name}: removed`, files, change: { "index.d.ts": DECLARED("") }, symbol: "pkg#VERSION" });
    gateAfterChange({ name: `${name}: changed`, files, change: { "index.d.ts": DECLARED("export declare const VERSION: number;\n") }, symbol: "pkg#VERSION" });
  }
});

test("issue 14.3 (contracts, sixteenth pass): a declaration file the project's tsconfig emits from the source is build output: the source stays the entry", () => {
  const files = {
    "package.json": JSON.stringify({ name: "pkg", version: "1.0.0", main: "index.js", types: "index.d.ts" }),
    "tsconfig.json": JSON.stringify({ compilerOptions: { declaration: true, module: "commonjs" }, include: ["index.ts"] }),
    "index.ts": SOURCE,
    "index.d.ts": DECLARED(""),
  };
  gateAfterChange({ name: "emitted: the source's change denies", files, change: { "index.ts": "export function hello(name: string, greeting: string): string {\n  return name;\n}\n" }, symbol: "pkg#hello" });
  gateAfterChange({ name: "emitted: a stale build output is no change", files, change: { "index.d.ts": DECLARED("export declare const VERSION: string;\n") } });
});

const JS_PACKAGE = JSON.stringify({ name: "pkg", version: "1.0.0", main: "index.js" });
const TYPEDEF = (properties: string, extra = "") =>
  `/**\n * @typedef {Object} Options\n * @property {string} url\n${properties} */\n${extra}/**\n * @param {Options} opts\n * @returns {string}\n */\nfunction connect(opts) {\n  return opts.url;\n}\nmodule.exports = { connect };\n`;

test("issue 14.3 (contracts, sixteenth pass): a JavaScript module's @typedef is API: removing a property (nested too) or the typedef is BREAKING", () => {
  const full = " * @property {number} [retries]\n * @property {Object} tls\n * @property {boolean} tls.verify\n";
  const files = { "package.json": JS_PACKAGE, "index.js": TYPEDEF(full) };
  gateAfterChange({ name: "property removed", files, change: { "index.js": TYPEDEF(" * @property {Object} tls\n * @property {boolean} tls.verify\n") }, symbol: "pkg#Options.retries" });
  gateAfterChange({ name: "nested property removed", files, change: { "index.js": TYPEDEF(" * @property {number} [retries]\n * @property {Object} tls\n") }, symbol: "pkg#Options.tls.verify" });
  const callback = (params: string) => `/**\n * @callback Handler\n${params} * @returns {void}\n */\n`;
  gateAfterChange({
    name: "callback removed",
    files: { "package.json": JS_PACKAGE, "index.js": TYPEDEF(full, callback(" * @param {string} event\n")) },
    change: { "index.js": TYPEDEF(full) },
    symbol: "pkg#Handler",
  });
});

const JS_CLASS = (body: string) => `class Client {\n  constructor(url) {\n${body}    const later = function () {\n      this.inner = 1;\n    };\n  }\n}\nmodule.exports = { Client };\n`;

test("issue 14.3 (contracts, sixteenth pass): a property a JavaScript class's constructor assigns is API: removing it or changing its @type is BREAKING; a nested function's this is not the instance", () => {
  const files = { "package.json": JS_PACKAGE, "index.js": JS_CLASS("    /** @type {string} */\n    this.url = url;\n    this.retries = 3;\n") };
  gateAfterChange({ name: "this.x removed", files, change: { "index.js": JS_CLASS("    /** @type {string} */\n    this.url = url;\n") }, symbol: "pkg#Client.retries" });
  gateAfterChange({ name: "@type changed", files, change: { "index.js": JS_CLASS("    /** @type {number} */\n    this.url = url;\n    this.retries = 3;\n") }, symbol: "pkg#Client.url" });
  gateAfterChange({ name: "nested this", files, change: { "index.js": JS_CLASS("    /** @type {string} */\n    this.url = url;\n    this.retries = 3;\n").replace("      this.inner = 1;\n", "") } });
});

test.run();
