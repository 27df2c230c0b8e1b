import { instantiate } from "./dist/src/policy/runtime.js";
import { fixedNsClock } from "./dist/src/policy/builtins/index.js";
import { readFileSync, readdirSync } from "node:fs";
const D = process.argv[2];
const m = await WebAssembly.compile(readFileSync(process.argv[3]));
const p = await instantiate(m, ["sprintf"], { clock: fixedNsClock(0n) });
const files = readdirSync(D + "/inputs-10").map(f => readFileSync(D + "/inputs-10/" + f, "utf8"));
for (const [i, f] of files.slice(0, 4).entries()) {
  const enc = p.encodeInput(JSON.parse(f));
  let out;
  for (let k = 0; k < 2000; k++) { out = [p.evaluate(enc, "main/deny"), p.evaluate(enc, "main/warn")]; }
  const xs = [];
  for (let k = 0; k < 10000; k++) { const t = process.hrtime.bigint(); p.evaluate(enc, "main/deny"); p.evaluate(enc, "main/warn"); xs.push(Number(process.hrtime.bigint() - t) / 1000); }
  xs.sort((a, b) => a - b);
  console.log(`file ${i}`, xs[5000].toFixed(1), "us", JSON.stringify(out).length);
}
