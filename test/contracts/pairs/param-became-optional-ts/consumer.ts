// A consumer that reuses the parameter type (a wrapper, a mock) breaks when it gains undefined.
import type { greet } from "./api";

export const first: string = null as unknown as Parameters<typeof greet>[0];
