import { find } from "./api";

const x: string | null = find("a");
void x;
