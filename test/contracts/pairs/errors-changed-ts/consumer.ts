import { root } from "./api";

root(4);
