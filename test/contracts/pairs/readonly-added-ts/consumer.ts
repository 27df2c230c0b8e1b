import { Counter } from "./api";

const c = new Counter();
c.label = "2";
