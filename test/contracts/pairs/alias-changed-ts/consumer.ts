import type { Level } from "./api";

const level: Level = "low";
void level;
