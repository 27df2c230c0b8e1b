export type Level = "low" | "medium" | "high";
