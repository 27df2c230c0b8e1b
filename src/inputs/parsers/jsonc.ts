// JSON with comments: conftest's own jsonc parser, run in gatehouse's Go toolchain module
// (conftest.ts), so policies see exactly the document `conftest test` evaluates: the JSON value
// once comments are removed (muhammadmuzzammil1998/jsonc).

import { conftestParser } from "./conftest.js";

export const jsoncParser = conftestParser("jsonc");
