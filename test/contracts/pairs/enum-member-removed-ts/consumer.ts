import { Color } from "./api";

const c: Color = Color.Green;
void c;
