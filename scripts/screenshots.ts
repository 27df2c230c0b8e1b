// `npm run screenshots [DIR]`: a screenshot of each console page at 1280x800, for the docs
// (default docs/console/). The service runs in process on 127.0.0.1 over a fresh in-memory
// database seeded by test/console/harness.ts, and Debian's chromium draws the pages.

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { signIn, startHarness } from "../test/console/harness.js";

const out = resolve(process.argv[2] ?? "docs/console");
mkdirSync(out, { recursive: true });
const harness = await startHarness();
try {
  const { page, url, seeded } = harness;
  const shoot = async (name: string, hash: string, ready: string, fullPage = false) => {
    await page.goto(`${url}/console/${hash}`);
    await page.locator(ready).first().waitFor();
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: join(out, `${name}.png`), fullPage });
    process.stdout.write(`${join(out, `${name}.png`)}\n`);
  };
  await page.goto(`${url}/console/#/login`);
  await page.locator("#token").waitFor();
  await page.screenshot({ path: join(out, "login.png") });
  await signIn(harness, harness.adminToken);
  await shoot("projects", "#/projects", "table.data");
  await shoot("settings", "#/projects/alpha/settings", "#preview-state:text('Same as the saved policy.')", true);
  await page.locator("#pack").selectOption("team-standard");
  await page.waitForFunction(() => document.querySelector("#preview-hash")?.classList.contains("changed"));
  await page.screenshot({ path: join(out, "settings-preview.png") });
  await shoot("run", `#/runs/${seeded.alphaRuns[4]}`, "#findings", true);
  const step = await harness.api("GET", `/runs/${seeded.alphaRuns[4]}`, harness.adminToken);
  const doc = step.body.steps.find((s: { path: string }) => s.path === "docs/CHANGE.md");
  await shoot("step", `#/steps/${doc.id}`, "#missing");
  await shoot("clarifications", "#/projects/beta/clarifications", "form.question");
  await shoot("runs-chart", "#/projects/alpha/runs", "#findings-chart");
  if (harness.external.length > 0) throw new Error(`requests left 127.0.0.1: ${harness.external.join(", ")}`);
} finally {
  await harness.close();
}
