// Issue 20 (the Python release corpus, scripts/bench-contracts-python.ts): the false BREAKINGs of
// the minor/patch pairs were fixed from what both source trees say (annotation names resolved in
// the tree, a removed override that called super(), a pass-through __new__, a name left out of a
// new __all__). What needs the old tree must fail closed against a registry, where the old side is
// only the recorded contracts: the same changes stay BREAKING there.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diffContracts } from "../../src/contracts/diff.js";
import { extractContracts } from "../../src/contracts/extract.js";
import type { Contract } from "../../src/contracts/model.js";

type Tree = Record<string, string>;

function write(root: string, files: Tree): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

/** `severity code id` of each change, the old side extracted from source and read back from a registry. */
async function changes(before: Tree, after: Tree): Promise<{ sources: string[]; registry: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-issue-20-py-"));
  try {
    write(join(dir, "old"), before);
    write(join(dir, "new"), after);
    const old = await extractContracts(join(dir, "old"));
    const fresh = await extractContracts(join(dir, "new"));
    const recorded = JSON.parse(JSON.stringify(old.contracts)) as Contract[];
    const show = (list: ReturnType<typeof diffContracts>) => list.map((c) => `${c.severity} ${c.code} ${c.id}`);
    return { sources: show(diffContracts(old.contracts, fresh.contracts)), registry: show(diffContracts(recorded, fresh.contracts)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a renamed class whose old name __getattr__ serves: the same return type from source, text against a registry", async () => {
  const got = await changes(
    { "api.py": "class Parser:\n    pass\n\n\ndef make() -> Parser:\n    return Parser()\n" },
    { "api.py": 'class _Parser:\n    pass\n\n\ndef make() -> _Parser:\n    return _Parser()\n\n\ndef __getattr__(name):\n    if name == "Parser":\n        return _Parser\n    raise AttributeError(name)\n' },
  );
  assert.equal(got.sources, ["RISKY contracts/stability-downgraded api.py#Parser"]);
  assert.equal(got.registry, ["RISKY contracts/stability-downgraded api.py#Parser", "BREAKING contracts/return-type-changed api.py#make"]);
});

test("a __getattr__ branch that returns a call, or names several names, aliases nothing", async () => {
  const got = await changes(
    { "api.py": "class Parser:\n    pass\n\n\nclass Lexer:\n    pass\n\n\ndef make() -> Parser:\n    return Parser()\n\n\ndef lex() -> Lexer:\n    return Lexer()\n" },
    {
      "api.py":
        'class _Parser:\n    pass\n\n\nclass _Lexer:\n    pass\n\n\ndef make() -> _Parser:\n    return _Parser()\n\n\ndef lex() -> _Lexer:\n    return _Lexer()\n\n\ndef __getattr__(name):\n    if name == "Parser":\n        return _build()\n    if name in ("Lexer", "Tokens"):\n        return _Lexer\n    raise AttributeError(name)\n',
    },
  );
  assert.equal(got.sources.filter((c) => c.startsWith("BREAKING")), ["BREAKING contracts/return-type-changed api.py#lex", "BREAKING contracts/return-type-changed api.py#make"]);
});

test("an import alias and a subclass from source; the same spelling of another module's class is another type", async () => {
  const base = { "web/__init__.py": "", "web/sansio.py": "class Response:\n    pass\n", "web/wrappers.py": "from .sansio import Response as _Base\n\n\nclass Response(_Base):\n    pass\n", "web/other.py": "class Response:\n    pass\n" };
  const got = await changes(
    { ...base, "web/api.py": "from .sansio import Response\n\n\ndef get() -> Response:\n    return Response()\n\n\ndef other() -> Response:\n    return Response()\n" },
    { ...base, "web/api.py": "from .sansio import Response as SansIO\nfrom .wrappers import Response as WSGI\nfrom .other import Response\n\n\ndef get() -> WSGI | SansIO:\n    return WSGI()\n\n\ndef other() -> Response:\n    return Response()\n" },
  );
  assert.equal(got.sources, ["BREAKING contracts/return-type-changed web/api.py#other"]);
  // A registry holds text: the respelling reads as a change, the same spelling of another class does not.
  assert.equal(got.registry, ["BREAKING contracts/return-type-changed web/api.py#get"]);
});

test("a removed override that called super(): no removal from source, symbol-removed against a registry; a removed class takes its members with it", async () => {
  const overriding = "    def close(self):\n        self.buffer = []\n        return super().close()\n";
  const got = await changes(
    { "api.py": `import io\n\n\nclass Reader(io.StringIO):\n${overriding}\n\nclass Gone(io.StringIO):\n${overriding}` },
    { "api.py": "import io\n\n\nclass Reader(io.StringIO):\n    pass\n" },
  );
  assert.equal(got.sources, ["BREAKING contracts/symbol-removed api.py#Gone"]);
  assert.equal(got.registry, ["BREAKING contracts/symbol-removed api.py#Gone", "BREAKING contracts/symbol-removed api.py#Reader.close"]);
});

test("left out of a new __all__: RISKY from the new tree alone (a registry too); a private module's names are not public anyway", async () => {
  const got = await changes(
    { "pkg/__init__.py": "def get():\n    pass\n\n\ndef check():\n    pass\n", "pkg/_impl.py": "def helper():\n    pass\n" },
    { "pkg/__init__.py": '__all__ = ["get"]\n\n\ndef get():\n    pass\n\n\ndef check():\n    pass\n', "pkg/_impl.py": '__all__ = []\n\n\ndef helper():\n    pass\n' },
  );
  assert.equal(got.sources, ["RISKY contracts/stability-downgraded pkg/__init__.py#check"]);
  assert.equal(got.registry, got.sources);
});

test.run();
