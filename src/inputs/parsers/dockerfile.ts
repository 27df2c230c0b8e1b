// Dockerfiles (`Dockerfile`, `Dockerfile.*`, `*.dockerfile`): conftest's own dockerfile parser, run
// in gatehouse's Go toolchain module (conftest.ts), so policies see exactly the document `conftest
// test` evaluates: one document: the list of instructions, each {Cmd, Flags, Value, JSON, Stage,
// SubCmd} (conftest 0.71.1 has no Original), comments as Cmd "comment" (buildkit's parser).

import { conftestParser } from "./conftest.js";

export const dockerfileParser = conftestParser("dockerfile");
