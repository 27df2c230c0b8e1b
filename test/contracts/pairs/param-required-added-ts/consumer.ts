import { greet } from "./api";

greet("ada");
