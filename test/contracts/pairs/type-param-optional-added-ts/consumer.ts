import type { Box } from "./api";

declare const box: Box<string>;
const v: string = box.value;
void v;
