// CycloneDX SBOMs, JSON or XML: conftest's own cyclonedx parser, run in gatehouse's Go toolchain
// module (conftest.ts), so policies see exactly the document `conftest test` evaluates: the BOM as
// CycloneDX's JSON shape (cyclonedx-go decodes either).

import { conftestParser } from "./conftest.js";

export const cyclonedxParser = conftestParser("cyclonedx");
