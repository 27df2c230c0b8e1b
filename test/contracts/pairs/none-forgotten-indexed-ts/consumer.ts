import { f, g } from "./api";

f(1);
g({ a: 1 });
