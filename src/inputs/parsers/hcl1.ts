// HCL 1: conftest's own hcl1 parser, run in gatehouse's Go toolchain module (conftest.ts), so
// policies see exactly the document `conftest test` evaluates: hashicorp/hcl v1's decoding:
// repeated blocks as lists of objects.

import { conftestParser } from "./conftest.js";

export const hcl1Parser = conftestParser("hcl1");
