export type Mode = "read" | "write";

export declare const mode: Mode;
