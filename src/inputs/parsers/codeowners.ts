// CODEOWNERS files: conftest's own codeowners parser, run in gatehouse's Go toolchain module
// (conftest.ts), so policies see exactly the document `conftest test` evaluates: a list of
// {pattern, owners[]} entries (hmarr/codeowners).

import { conftestParser } from "./conftest.js";

export const codeownersParser = conftestParser("codeowners");
