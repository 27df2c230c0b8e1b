// Jenkinsfiles (`Jenkinsfile`, `Jenkinsfile.*`) and Groovy: conftest's own groovy parser, run in
// gatehouse's Go toolchain module (conftest.ts), so policies see exactly the document `conftest
// test` evaluates: the concrete syntax tree as conftest's groovy parser shapes it (nodes with kind,
// text and line).

import { conftestParser } from "./conftest.js";

export const groovyParser = conftestParser("groovy");
