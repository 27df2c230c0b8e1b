// XML: conftest's own xml parser, run in gatehouse's Go toolchain module (conftest.ts), so policies
// see exactly the document `conftest test` evaluates: goxml2json's object: attributes as "-name"
// keys, text as "#content".

import { conftestParser } from "./conftest.js";

export const xmlParser = conftestParser("xml");
