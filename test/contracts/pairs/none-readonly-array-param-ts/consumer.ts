import { apply, type Patch } from "./api";

const patches: Patch[] = [{ op: "add" }];
const n: number = apply(patches);
void n;
