// CUE: conftest's own cue parser, run in gatehouse's Go toolchain module (conftest.ts), so policies
// see exactly the document `conftest test` evaluates: the evaluated CUE value exported as JSON
// (cuelang.org/go).

import { conftestParser } from "./conftest.js";

export const cueParser = conftestParser("cue");
