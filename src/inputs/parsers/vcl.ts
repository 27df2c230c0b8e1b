// Varnish VCL: conftest's own vcl parser, run in gatehouse's Go toolchain module (conftest.ts), so
// policies see exactly the document `conftest test` evaluates: the blocks and attributes as go-vcl
// decodes them.

import { conftestParser } from "./conftest.js";

export const vclParser = conftestParser("vcl");
