// Issue 14, eleventh adversarial pass, the installed package: the compile cache of `--policy`
// Rego. A bundle in the cache whose manifest names the policy's sources was evaluated as if
// compiled from them: the sources check proves what the manifest says the wasm was built from,
// not what the wasm is. Whoever can write the cache directory (a CI cache restored from another
// job, GATEHOUSE_CACHE_DIR or XDG_CACHE_HOME inside the repository under review) could swap in
// the wasm of a weakened policy, and `check --policy central` allowed what central denies. Each
// entry gatehouse places is now sealed with an HMAC under a key of the user's kept outside the
// cache; an entry without a valid seal is compiled afresh and used only when it is what the
// sources compile to.

import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, withRepo } from "./harness.js";

const DENY_BAD = 'package main\n\ndeny contains msg if {\n\tinput.bad == true\n\tmsg := "bad"\n}\n';
const NEVER = 'package main\n\ndeny contains msg if {\n\tinput.bad == "never"\n\tmsg := "bad"\n}\n';

test("issue 14 (eleventh pass): a compile-cache entry swapped for a weakened policy's wasm (with its seal, or none) is not evaluated: `check --policy` still denies; an unsealed entry that is the sources' own build is sealed and used", () => {
  withRepo("eleventh-config", {}, (config) =>
    withRepo("eleventh-cache", { "central/p.rego": DENY_BAD, "weak/p.rego": NEVER, "in.json": '{"bad": true}\n' }, (root) => {
      // The cache inside the repository under review: what the change can write.
      const env = { GATEHOUSE_CACHE_DIR: join(root, ".cache"), XDG_CONFIG_HOME: config };
      const check = (policy: string) => gatehouse(["check", "--policy", policy, "in.json"], root, { env, timeoutMs: 120_000 });
      const central = check("central");
      assert.is(central.code, 1, central.stdout + central.stderr);
      assert.is(check("weak").code, 0);
      const bundles = join(root, ".cache", "bundles");
      const entry = (name: string) => join(bundles, readdirSync(bundles).find((d) => readFileSync(join(bundles, d, "manifest.json"), "utf8").includes(`"../../../${name}"`))!);
      const [centralEntry, weakEntry] = [entry("central"), entry("weak")];

      // The weak wasm, the manifest's wasm digest and documents, and the seal, copied over central's entry.
      const poison = (withSeal: boolean) => {
        copyFileSync(join(weakEntry, "policy.wasm"), join(centralEntry, "policy.wasm"));
        const manifest = JSON.parse(readFileSync(join(centralEntry, "manifest.json"), "utf8"));
        const weak = JSON.parse(readFileSync(join(weakEntry, "manifest.json"), "utf8"));
        writeFileSync(join(centralEntry, "manifest.json"), JSON.stringify({ ...manifest, wasm: weak.wasm, documents: weak.documents }));
        if (withSeal && existsSync(join(weakEntry, "gatehouse-seal"))) copyFileSync(join(weakEntry, "gatehouse-seal"), join(centralEntry, "gatehouse-seal"));
        else rmSync(join(centralEntry, "gatehouse-seal"), { force: true });
      };
      for (const withSeal of [true, false]) {
        poison(withSeal);
        const run = check("central");
        assert.is(run.code, 1, `poisoned entry ${withSeal ? "with another entry's seal" : "without a seal"}: ${run.stdout}${run.stderr}`);
        assert.match(run.stdout, "DENY");
      }

      // An entry cached before seals (or whose seal was lost), the sources' own build: verified, sealed, used.
      rmSync(join(weakEntry, "gatehouse-seal"));
      assert.is(check("weak").code, 0);
      assert.ok(existsSync(join(weakEntry, "gatehouse-seal")), "the verified entry is sealed");
      assert.is(check("weak").code, 0);
    }),
  );
});

test.run();
