import type { Box } from "./api";

declare const box: Box<string>;
void box;
