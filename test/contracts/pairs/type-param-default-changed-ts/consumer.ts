import type { ZodType } from "./api";

declare const schema: ZodType;
const n: number = schema.parse(1);
void n;
