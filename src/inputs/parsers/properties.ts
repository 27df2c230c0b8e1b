// Java `.properties`: conftest's own properties parser, run in gatehouse's Go toolchain module
// (conftest.ts), so policies see exactly the document `conftest test` evaluates: an object of keys
// to string values (magiconair/properties).

import { conftestParser } from "./conftest.js";

export const propertiesParser = conftestParser("properties");
