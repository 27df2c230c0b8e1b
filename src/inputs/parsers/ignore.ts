// `.gitignore` and `.dockerignore`: conftest's own ignore parser, run in gatehouse's Go toolchain
// module (conftest.ts), so policies see exactly the document `conftest test` evaluates: one
// document: the list of lines, each {Kind (Path, NegatedPath, Comment, Empty), Value, Original}
// (shteou/go-ignore).

import { conftestParser } from "./conftest.js";

export const ignoreParser = conftestParser("ignore");
