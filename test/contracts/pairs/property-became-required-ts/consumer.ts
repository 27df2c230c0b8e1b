import type { Options } from "./api";

declare const options: Options;
const r: number | undefined = options.retries;
void r;
