import { pad } from "./api";

pad("x");
