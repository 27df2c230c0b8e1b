// Issue 14, sixteenth adversarial pass (contracts): parts of a package's public API that contract
// extraction did not see, so removing or changing them read as no change and the gate allowed a
// BREAKING change. Each case accepts the registry, makes the change and gates.
//
// 1. Python attributes outside annotations: what `__init__` assigns to the instance (`self.url =
//    url`, `self.a, self.b = ...`, in an `if` too) and unannotated class attributes (`limit = 10`,
//    a method alias `close = shutdown`) are a class's API (griffe reports them), yet only annotated
//    class-level attributes were contracts: `obj.url` or `C.limit` vanished unseen.

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

test.run();
