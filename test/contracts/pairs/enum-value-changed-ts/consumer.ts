import { Level } from "./api";

const l: Level = Level.High;
void l;
