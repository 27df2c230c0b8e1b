import { Schema } from "./api";

// Merge only widened (RISKY on its own), so the positions naming it are judged across the versions.
declare const schema: Schema<{ a: string }>;
const a: string = schema.merge({ b: 1 }).value.a;
void a;
