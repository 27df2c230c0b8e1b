import { walk } from "./api";

void walk({ deep: { depth: 1 } });
