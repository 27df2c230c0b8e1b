import { mode } from "./api";

const m: "read" | "write" = mode;
void m;
