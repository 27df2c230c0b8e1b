// Jsonnet: conftest's own jsonnet parser, run in gatehouse's Go toolchain module (conftest.ts), so
// policies see exactly the document `conftest test` evaluates: the evaluated value (google/go-
// jsonnet); imports resolve from the file's directory, inside the inputs' common directory.

import { conftestParser } from "./conftest.js";

export const jsonnetParser = conftestParser("jsonnet");
