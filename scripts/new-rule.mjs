#!/usr/bin/env node
// Scaffolds a new Rego rule the gatehouse way: the rule (with # METADATA and the shared finding
// helper), its _test.rego beside it and a fixture case for its deny code. docs/rules.md is
// generated from the METADATA (`npm run docs:rules`).
// The scaffolded test and fixture FAIL until the rule is written: nothing passes vacuously.
//
//   npm run new-rule -- <area> <rule_name> --kind <kind> --code <area>/<kebab-code> --title "..."

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { kind: { type: "string" }, code: { type: "string" }, title: { type: "string" }, severity: { type: "string", default: "error" } },
});

function fail(message) {
  process.stderr.write(`new-rule: ${message}\n`);
  process.exitCode = 2;
}

const [area, rule] = positionals;
const kindsSource = readFileSync(join(root, "src/schemas/kinds.ts"), "utf8");
if (!area || !rule || !values.kind || !values.code || !values.title) {
  fail('usage: npm run new-rule -- <area> <rule_name> --kind <kind> --code <area>/<kebab-code> --title "..." [--severity error|warning]');
} else if (!/^[a-z][a-z0-9_]*$/.test(area) || !/^[a-z][a-z0-9_]*$/.test(rule)) {
  fail("area and rule_name must be snake_case Rego identifiers");
} else if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(values.code)) {
  fail("--code must look like area/kebab-name");
} else if (!kindsSource.includes(`"${values.kind}": {`)) {
  fail(`unknown kind ${values.kind} (see src/schemas/kinds.ts)`);
} else if (!["error", "warning", "block", "info"].includes(values.severity)) {
  fail("--severity must be info, warning, error or block");
} else {
  const dir = join(root, "policy", area, rule);
  const fixture = join(root, "fixtures", values.kind, `${rule.replaceAll("_", "-")}.json`);
  if (existsSync(dir) || existsSync(fixture)) {
    fail(`${existsSync(dir) ? dir : fixture} already exists`);
  } else {
    const pkg = `gatehouse.${area}.${rule}`;
    const role = values.severity === "warning" || values.severity === "info" ? "warn" : "deny";
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${rule}.rego`),
      `# METADATA
# title: ${JSON.stringify(values.title)}
# description: "Describe what this rule requires and why."
# custom:
#   code: ${values.code}
#   severity: ${values.severity}
package ${pkg}

import data.gatehouse.lib.findings

# METADATA
# title: ${role}
# description: ${JSON.stringify(values.title)}
${role} contains findings.finding(
	"${values.code}",
	"write the message",
	{},
) if {
	# Write the condition. Until then the rule fires on nothing and its test fails.
	input.__scaffold_condition__
}
`,
    );
    writeFileSync(
      join(dir, `${rule}_test.rego`),
      `package ${pkg}_test

import data.${pkg}

test_fail_${rule} if {
	got := ${rule}.${role} with input as {}
	got == {{"code": "${values.code}", "msg": "write the message"}}
}

test_success_${rule} if {
	got := ${rule}.${role} with input as {}
	got == set()
}
`,
    );
    mkdirSync(join(root, "fixtures", values.kind), { recursive: true });
    writeFileSync(
      fixture,
      JSON.stringify(
        {
          description: values.title,
          tests: [
            { description: `triggers ${values.code}`, data: {}, valid: false, codes: [values.code] },
            { description: `a compliant ${values.kind}`, data: {}, valid: true },
          ],
        },
        null,
        2,
      ) + "\n",
    );
    process.stdout.write(
      `created policy/${area}/${rule}/{${rule}.rego,${rule}_test.rego} and ${fixture.slice(root.length)}\n` +
        "next: write the condition and message, fill the test inputs and fixture data, then `npm run policy:build`, `npm run docs:rules` and `npm test`\n",
    );
  }
}
