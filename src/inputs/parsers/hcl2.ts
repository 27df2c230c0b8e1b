// HCL 2 and Terraform (`.tf`, `.tfvars`, `.hcl`): conftest's own hcl2 parser, run in gatehouse's Go
// toolchain module (conftest.ts), so policies see exactly the document `conftest test` evaluates:
// hcl2json's object: blocks keyed by type then labels, each a list of bodies, expressions as
// `${...}` strings.

import { conftestParser } from "./conftest.js";

export const hcl2Parser = conftestParser("hcl2");
