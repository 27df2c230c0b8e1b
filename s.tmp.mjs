import { assertNoDuplicateJsonKeys } from "./dist/src/inputs/parse.js";
import { deployment } from "./dist/scripts/bench-inputs.js";
import { createHash } from "node:crypto";
const texts = Array.from({length: 200}, (_, i) => JSON.stringify(deployment(i)));
function t(label, fn) { for (let k=0;k<5;k++) for (const x of texts) fn(x); const s=performance.now(); for (let k=0;k<20;k++) for (const x of texts) fn(x); console.log(label, ((performance.now()-s)*1000/4000).toFixed(2), "us"); }
t("JSON.parse", (x) => JSON.parse(x));
t("dup scan", (x) => assertNoDuplicateJsonKeys(x));
t("sha256", (x) => createHash("sha256").update(x).digest("hex"));
const bufs = texts.map(x => Buffer.from(x));
t("toString", (x) => Buffer.from(x).toString("utf8"));
import { countJsonKeyTokens, countKeys, parseDocument } from "./dist/src/inputs/parse.js";
t("count tokens", (x) => countJsonKeyTokens(x));
const parsed = new Map(texts.map(x => [x, JSON.parse(x)]));
t("count keys", (x) => countKeys(parsed.get(x)));
t("parseDocument", (x) => parseDocument(x, "json"));
