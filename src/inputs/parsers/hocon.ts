// HOCON: conftest's own hocon parser, run in gatehouse's Go toolchain module (conftest.ts), so
// policies see exactly the document `conftest test` evaluates: the resolved configuration as nested
// objects (go-akka/configuration).

import { conftestParser } from "./conftest.js";

export const hoconParser = conftestParser("hocon");
