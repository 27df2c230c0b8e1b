// The subpath is gone from `exports` (its file is still shipped): importing it no longer resolves.
import { extra } from "demo-subpath/extra";
import { keep } from "demo-subpath";

keep(String(extra()));
