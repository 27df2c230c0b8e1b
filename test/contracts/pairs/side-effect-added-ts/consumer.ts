import { save } from "./api";

save("d");
