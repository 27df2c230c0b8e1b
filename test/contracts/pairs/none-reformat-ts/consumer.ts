import { add } from "./api";

add(1, { x: 1, y: 2 });
