import { loadBundle } from "./dist/src/policy/bundle.js";
import { instantiate } from "./dist/src/policy/runtime.js";
import { fixedNsClock } from "./dist/src/policy/builtins/index.js";
import { readFileSync, readdirSync } from "node:fs";
const D = process.argv[2];
const b = await loadBundle(D + "/" + (process.argv[3] ?? "bundle"));
const m = await WebAssembly.compile(new Uint8Array(b.wasm));
const p = await instantiate(m, b.manifest.builtins, { clock: fixedNsClock(0n) });
const files = readdirSync(D + "/inputs-10").map(f => readFileSync(D + "/inputs-10/" + f, "utf8"));
function bench(label, input, ep) {
  const enc = p.encodeInput(input);
  for (let i = 0; i < 2000; i++) p.evaluate(enc, ep);
  const xs = [];
  for (let i = 0; i < 10000; i++) { const t = process.hrtime.bigint(); p.evaluate(enc, ep); xs.push(Number(process.hrtime.bigint() - t) / 1000); }
  xs.sort((a, b) => a - b);
  console.log(label.padEnd(40), ep, xs[5000].toFixed(1), "us");
}
bench("empty {}", {}, "main/deny");
for (const [i, f] of files.slice(0, 4).entries()) {
  const d = JSON.parse(f);
  const r = p.evaluate(p.encodeInput(d), "main/deny");
  bench(`file ${i} (${r.defined ? r.value.length : 0} msgs)`, d, "main/deny");
}
bench("file 0", JSON.parse(files[0]), "main/warn");
