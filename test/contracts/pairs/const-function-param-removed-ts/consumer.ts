import { format } from "./api";

format("a", "en");
