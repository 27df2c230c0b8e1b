// `nginx.conf`: conftest's own nginx parser, run in gatehouse's Go toolchain module (conftest.ts),
// so policies see exactly the document `conftest test` evaluates: the directive tree
// (tufanbarisyildirim/gonginx).

import { conftestParser } from "./conftest.js";

export const nginxParser = conftestParser("nginx");
