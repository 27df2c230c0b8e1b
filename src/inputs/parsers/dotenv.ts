// .env files (`.env`, `.env.*`, `*.env`): conftest's own dotenv parser, run in gatehouse's Go
// toolchain module (conftest.ts), so policies see exactly the document `conftest test` evaluates:
// an object of variable names to string values (subosito/gotenv, expansion as it does).

import { conftestParser } from "./conftest.js";

export const dotenvParser = conftestParser("dotenv");
