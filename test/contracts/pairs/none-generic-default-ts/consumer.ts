import { wrap } from "./api";

const s: string = wrap("a");
void s;
