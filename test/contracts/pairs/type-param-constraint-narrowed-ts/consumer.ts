import type { Box } from "./api";

declare const box: Box<number>;
void box;
