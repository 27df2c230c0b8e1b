import type { Point } from "./api";

const p: Point = { x: 1, y: 2 };
const x: number = p.x;
void x;
