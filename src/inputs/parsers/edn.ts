// EDN: conftest's own edn parser, run in gatehouse's Go toolchain module (conftest.ts), so policies
// see exactly the document `conftest test` evaluates: the value with keywords as ":name" strings,
// maps as objects (nested maps inside lists printed by Go) (olympos.io/encoding/edn).

import { conftestParser } from "./conftest.js";

export const ednParser = conftestParser("edn");
