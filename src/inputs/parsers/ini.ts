// INI: conftest's own ini parser, run in gatehouse's Go toolchain module (conftest.ts), so policies
// see exactly the document `conftest test` evaluates: an object of sections to objects of keys,
// values as strings, numbers or booleans where they read as such (go-ini).

import { conftestParser } from "./conftest.js";

export const iniParser = conftestParser("ini");
