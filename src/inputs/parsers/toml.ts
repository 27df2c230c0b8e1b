// TOML: conftest's own toml parser, run in gatehouse's Go toolchain module (conftest.ts), so
// policies see exactly the document `conftest test` evaluates: the table as nested objects, dates
// as RFC 3339 strings (BurntSushi/toml).

import { conftestParser } from "./conftest.js";

export const tomlParser = conftestParser("toml");
