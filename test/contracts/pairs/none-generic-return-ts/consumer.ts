import { id } from "./api";

const a: string = id();
const b: string = id(10);
void a;
void b;
