import type { Options } from "./api";

declare const options: Options;
const t: number = options.timeout;
void t;
