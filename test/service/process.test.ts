// The service as a child process over the embedded database (a directory per server).

import { defineProcessSuite } from "./process-suite.js";

defineProcessSuite("service process (embedded)", async () => ({ env: { DATABASE_URL: "" }, cleanup: async () => {} }));
