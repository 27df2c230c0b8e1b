import { type Merge } from "./api";

// Merge's own change (BREAKING) stops every caller the positions naming it break.
declare const merged: Merge<{ a: string }, { b: number }>;
const b: number = merged.b;
void b;
