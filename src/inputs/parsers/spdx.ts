// SPDX tag-value SBOMs: conftest's own spdx parser, run in gatehouse's Go toolchain module
// (conftest.ts), so policies see exactly the document `conftest test` evaluates: the SPDX document
// in tools-golang's JSON shape.

import { conftestParser } from "./conftest.js";

export const spdxParser = conftestParser("spdx");
