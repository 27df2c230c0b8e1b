// The entry file moved (index.d.ts → main.d.ts): callers import the same path.
import { keep, VERSION } from "demo-moved";

keep(VERSION);
