import type { Box } from "./api";

declare const box: Box<string, number>;
void box;
