// protobuf text format (`.textproto`, `.textpb`): conftest's own textproto parser, run in
// gatehouse's Go toolchain module (conftest.ts), so policies see exactly the document `conftest
// test` evaluates: the message as protojson; its type is named by a `# proto-message:` header and
// found in --proto-file-dirs.

import { conftestParser } from "./conftest.js";

export const textprotoParser = conftestParser("textproto");
