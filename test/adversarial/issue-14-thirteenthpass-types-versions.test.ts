// Issue 14, thirteenth adversarial pass: package.json `typesVersions`. TypeScript reads the
// declarations the map names for its version; gatehouse judged the unmapped `types` file, so a
// breaking change to the declarations consumers' compilers read passed. Fails before its fix.

import { test } from "uvu";
import * as assert from "uvu/assert";
import ts from "typescript";
import { typesVersionsTarget, versionInRange } from "../../src/contracts/ts/entrypoints.js";
import { gateAfterContractChange as gateAfterChange, withRepo } from "./harness.js";

test("issue 14 (contracts, typesVersions): the declarations typesVersions names for the pinned TypeScript are the ones judged", () => {
  const mapped = "export declare function connect(url: string): void;\n";
  const files = {
    "package.json": JSON.stringify({ name: "pkg", version: "1.0.0", types: "index.d.ts", typesVersions: { "<3.0": { "*": ["ts2/*"] }, ">=3.1": { "*": ["ts3.1/*"] } } }),
    "index.d.ts": "export declare function connect(url: string, timeout: number): void;\n",
    "ts3.1/index.d.ts": mapped,
    "ts2/index.d.ts": "export declare function other(): void;\n",
  };
  gateAfterChange({ name: "mapped file changed", files, change: { "ts3.1/index.d.ts": "export declare function connect(url: number): void;\n" }, symbol: "pkg#connect" });
  // The unmapped file is not what compilers read: a change to it alone is no change.
  gateAfterChange({ name: "unmapped file changed", files, change: { "index.d.ts": "export declare function connect(): void;\n" } });
});

test("issue 14 (contracts, typesVersions): TypeScript's selection: the first matching range in order, the longest pattern prefix, the first substitution that exists", () => {
  withRepo("types-versions", { "a/index.d.ts": "", "b/index.d.ts": "", "c/lib/main.d.ts": "" }, (root) => {
    assert.is(typesVersionsTarget(root, { ">=4.0": { "*": ["a/*"] }, "*": { "*": ["b/*"] } }, "index.d.ts", "5.4.2"), "a/index.d.ts");
    assert.is(typesVersionsTarget(root, { "<4.0": { "*": ["a/*"] }, "*": { "*": ["b/*"] } }, "index.d.ts", "5.4.2"), "b/index.d.ts");
    assert.is(typesVersionsTarget(root, { "*": { "*": ["missing/*", "b/*"] } }, "./index.d.ts", "5.4.2"), "b/index.d.ts");
    assert.is(typesVersionsTarget(root, { "*": { "*": ["a/*"], "lib/*": ["c/lib/*"] } }, "lib/main.d.ts", "5.4.2"), "c/lib/main.d.ts");
    assert.is(typesVersionsTarget(root, { "*": { "index.d.ts": ["b/index.d.ts"], "*": ["a/*"] } }, "index.d.ts", "5.4.2"), "b/index.d.ts");
    // An unparsable range matches nothing; a selected map that is not an object maps nothing.
    assert.is(typesVersionsTarget(root, { "not a range": { "*": ["a/*"] } }, "index.d.ts", "5.4.2"), undefined);
    assert.is(typesVersionsTarget(root, { "*": ["a/*"] }, "index.d.ts", "5.4.2"), undefined);
    // A substitution outside the package is not followed.
    assert.is(typesVersionsTarget(root, { "*": { "*": ["../*"] } }, "index.d.ts", "5.4.2"), undefined);
    // The pinned TypeScript is the default version.
    assert.is(typesVersionsTarget(root, { [`>=${ts.versionMajorMinor}`]: { "*": ["a/*"] } }, "index.d.ts"), "a/index.d.ts");
  });
  const cases: [string, string, boolean][] = [
    ["5.4.2", "*", true], ["5.4.2", ">=4.2", true], ["5.4.2", "<5", false], ["5.4.2", "<=5", true], ["5.4.2", ">5", false], ["5.4.2", ">5.3", true],
    ["5.4.2", "~5.4", true], ["5.4.2", "~5.3", false], ["5.4.2", "^5.0", true], ["5.4.2", "^4.9", false], ["5.4.2", "5.4", true], ["5.4.2", "5.4.1", false],
    ["5.4.2", "5.0 - 5.4", true], ["5.4.2", "5.0 - 5.3", false], ["5.4.2", "<4 || >=5.4", true], ["5.4.2", ">=4.2 <5", false], ["5.4.2", "5.x", true], ["5.4.2", "nonsense", false],
  ];
  for (const [version, range, expected] of cases) assert.is(versionInRange(version, range), expected, `${version} in ${range}`);
});

test.run();
