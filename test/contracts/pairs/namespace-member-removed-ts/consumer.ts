import { util } from "./api";

util.pad("a");
