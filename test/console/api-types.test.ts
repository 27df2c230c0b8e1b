// The console's types cannot drift from the service: they are generated from schemas/api/ at
// compile (scripts/gen-console-types.mjs), every call the console makes names the schema its
// route declares as its response, and the service's real answers satisfy those schemas. Any one
// of the three links breaking fails here (the fourth, console code reading a field the types do
// not have, fails tsc).

import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { createTestService, TEST_ADMIN_TOKEN, type Service } from "../../src/service/app.js";
import type { Route } from "../../src/service/context.js";
import { ROUTES } from "../../src/service/routes.js";
import { tempDir } from "../service/helpers.js";
import { seed, type Seeded } from "./harness.js";

const test = suite("console api types");
const GENERATOR = packagePath("scripts", "gen-console-types.mjs");
const GENERATED = packagePath("console", "src", "generated", "api-types.ts");

interface Generator {
  generate(dir?: string): string;
}
const generator = async (): Promise<Generator> => (await import(pathToFileURL(GENERATOR).href)) as Generator;

function routeFor(method: string, path: string): Route | undefined {
  const bare = path.split("?")[0]!;
  return ROUTES.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{[a-z]+\}/gi, "[^/]+")}$`).test(bare));
}

/** Every `api("schema", "METHOD", path)` call in console/src, with the path's `${...}` as one segment. */
function consoleCalls(): { file: string; schema: string; method: string; path: string }[] {
  const dir = packagePath("console", "src");
  const files = [...readdirSync(dir), ...readdirSync(join(dir, "pages")).map((f) => `pages/${f}`)].filter((f) => f.endsWith(".ts") && f !== "api.ts");
  const calls: { file: string; schema: string; method: string; path: string }[] = [];
  for (const file of files) {
    const code = readFileSync(join(dir, file), "utf8");
    const found = [...code.matchAll(/\bapi\(\s*"([a-z0-9.-]+)",\s*"(GET|POST|PUT)",\s*[`"]([^`"]+)[`"]/g)];
    assert.is(found.length, (code.match(/\bapi\(/g) ?? []).length, `${file}: every api() call names its schema, method and a literal path`);
    for (const [, schema, method, path] of found) calls.push({ file, schema: schema!, method: method!, path: path!.replace(/\$\{[^}]+\}/g, "x") });
  }
  return calls;
}

test("the generated types are what schemas/api/ generates now (npm run compile regenerates them)", async () => {
  const { generate } = await generator();
  assert.is(readFileSync(GENERATED, "utf8"), generate());
});

test("every API call of the console names the response schema of the route it calls", () => {
  const calls = consoleCalls();
  assert.ok(calls.length >= 15, `${calls.length} calls found`);
  for (const call of calls) {
    const route = routeFor(call.method, call.path);
    assert.ok(route, `${call.file}: ${call.method} ${call.path} is no route`);
    assert.ok(route!.response, `${call.method} ${route!.path} declares no response schema, so the console's answer type would be unchecked`);
    assert.is(call.schema, route!.response, `${call.file}: ${call.method} ${call.path}`);
  }
});

test("the generator refuses what it cannot type, and a DOCUMENTS pointer that no longer names an opaque object", async () => {
  const { generate } = await generator();
  const dir = tempDir("console-types");
  try {
    cpSync(packagePath("schemas", "api"), dir, { recursive: true });
    const file = join(dir, "stored-run.v1.schema.json");
    const original = readFileSync(file, "utf8");
    const schema = JSON.parse(original) as { properties: Record<string, object> };

    schema.properties.reasons = { type: "array", items: { type: "string" }, contains: { const: "x" } };
    writeFileSync(file, JSON.stringify(schema));
    assert.throws(() => generate(dir), /stored-run\.v1#\/properties\/reasons: unsupported keyword contains/);

    schema.properties.reasons = { type: "array", items: { type: "string" } };
    schema.properties.policySnapshot = { type: "object", properties: { pack: { type: "string" } } };
    writeFileSync(file, JSON.stringify(schema));
    assert.throws(() => generate(dir), /stored-run\.v1#\/properties\/policySnapshot: DOCUMENTS names EffectivePolicy for a node that is not an opaque object/);

    // A field the schema drops is gone from the type: the console code reading it stops compiling.
    writeFileSync(file, original);
    assert.match(generate(dir), /export type StoredRunV1 = \{[^]*?\n  reasons: string\[\];/);
    delete schema.properties.reasons;
    schema.properties.policySnapshot = { type: ["object", "null"] };
    writeFileSync(file, JSON.stringify({ ...schema, required: (JSON.parse(original) as { required: string[] }).required.filter((r) => r !== "reasons") }));
    const without = generate(dir);
    assert.not.match(without.slice(without.indexOf("export type StoredRunV1 =")), /\n  reasons:/);
    assert.match(without, /policySnapshot: EffectivePolicy \| null;/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

let service: Service;
let url: string;
let seeded: Seeded;

test("the service's answers to every call the console makes satisfy the response schema their route declares", async () => {
  service = await createTestService();
  try {
    url = new URL(await service.app.listen({ port: 0, host: "127.0.0.1" })).origin;
    seeded = await seed(url, TEST_ADMIN_TOKEN);
    const schemas = new SchemaRegistry(packagePath("schemas", "api"));
    const covered = new Set<Route>();
    const check = async (method: "GET" | "POST" | "PUT", path: string, token: string = TEST_ADMIN_TOKEN, body?: unknown): Promise<any> => {
      const route = routeFor(method, path);
      assert.ok(route?.response, `${method} ${path}: no route with a response schema`);
      const answer = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const parsed = (await answer.json()) as unknown;
      assert.ok(answer.status >= 200 && answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(parsed)}`);
      const problems = schemas.validate(route!.response!, parsed, `${method} ${path}`);
      assert.equal(problems.map((p) => p.message), [], `${method} ${path} against ${route!.response}`);
      covered.add(route!);
      return parsed;
    };

    await check("GET", "/console/api/projects");
    await check("GET", "/console/api/projects", seeded.tokens.beta);
    const packs = await check("GET", "/policy_packs");
    for (const pack of packs.packs as { key: string }[]) await check("GET", `/policy_packs/${pack.key}`);
    for (const id of ["alpha", "beta", "gamma"]) {
      await check("GET", `/projects/${id}/policy`);
      await check("GET", `/projects/${id}/policy/effective`);
      await check("GET", `/projects/${id}/clarifications`);
      await check("GET", `/console/api/projects/${id}/runs?limit=50`);
      await check("GET", `/console/api/projects/${id}/history?after=0&limit=1000`);
    }
    await check("POST", "/console/api/projects/alpha/policy/preview", TEST_ADMIN_TOKEN, { pack: { key: "team-standard" }, overrides: { requirements: { files: ["SECURITY.md"] } }, repoLocal: false });
    // A project token may only tighten its policy; the admin makes this loosening.
    await check("PUT", "/projects/gamma/policy", TEST_ADMIN_TOKEN, { pack: { key: "team-standard", version: "1.0" }, overrides: { enforcement: { mode: "warn" } }, repoLocal: true });
    await check("PUT", "/projects/gamma/policy", seeded.tokens.gamma, { pack: { key: "team-standard", version: "1.0" }, overrides: { enforcement: { mode: "warn" }, requirements: { files: ["SECURITY.md"] } }, repoLocal: false });
    await check("POST", "/projects/gamma/clarifications/release-channel", seeded.tokens.gamma, { value: "internal" });
    await check("GET", "/projects/gamma/clarifications");
    for (const runId of [...seeded.alphaRuns, seeded.betaRun]) {
      const run = await check("GET", `/runs/${runId}`);
      await check("GET", `/runs/${runId}/policy/findings?after=0&limit=1000`);
      await check("GET", `/console/api/runs/${runId}/clarifications`);
      for (const step of run.steps as { id: string }[]) await check("GET", `/steps/${step.id}/policy/findings?after=0&limit=1000`);
    }

    const called = new Set(consoleCalls().map((c) => routeFor(c.method, c.path)!));
    for (const route of called) assert.ok(covered.has(route), `${route.method} ${route.path} is called by the console but not checked here`);
  } finally {
    await service.close();
  }
});

test.run();
