import { pad } from "./api";

pad(42);
