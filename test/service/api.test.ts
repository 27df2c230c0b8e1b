// The policy service over the embedded store (PGlite in memory): the whole API suite.

import { createTestService, TEST_ADMIN_TOKEN } from "../../src/service/app.js";
import { defineServiceSuite } from "./suite.js";

defineServiceSuite("service (embedded)", async ({ bundleDir }) => {
  const service = await createTestService({ bundleDir });
  return { service, adminToken: TEST_ADMIN_TOKEN, cleanup: () => service.close() };
});
