// Requirement checks of the effective policy: required files exist, required headings are in the
// Markdown documents a glob matches, and the collectors the pack requires are enabled.

import { closeSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";
import { ConfigError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import { openUntrustedFile, readUntrustedText, UntrustedFileError } from "../core/read.js";
import { boundedGlobFsSync } from "../core/walk.js";
import { packFinding } from "./core-codes.js";
import { markdownHeadings, normalizeHeading } from "./markdown.js";
import type { EffectivePolicy } from "./types.js";

const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

/** Where each constraint's evidence lives, for the pack/constraint-unenforced fix. */
const WHERE_ENFORCED: Record<keyof EffectivePolicy["constraints"], string> = {
  require_ci_green: "make the CI status checks required in the branch protection of the default branch",
  require_code_review: "require approving reviews in the branch protection of the default branch",
  forbid_stub_execution: "refuse stubbed or dry-run executions in the pipeline that runs the operations",
};

/**
 * Why a required file is not the repository's file: missing, not a regular file, or a committed
 * link out of the root (`SECURITY.md -> /etc/hostname` is some runner's file, not a policy the
 * repository has); undefined when it is one. Opened and closed unread (a FIFO is refused unopened).
 */
function requiredFileProblem(root: string, path: string): string | undefined {
  try {
    closeSync(openUntrustedFile(path, { root }).fd);
    return undefined;
  } catch (error) {
    if (!(error instanceof UntrustedFileError)) throw error;
    return error.code === "ENOENT" ? "does not exist" : `is not a file of the repository (${error.reason})`;
  }
}

export function checkRequirements(root: string, policy: EffectivePolicy, enabledCollectors: readonly string[], unavailableCollectors: readonly string[] = []): Finding[] {
  const findings: Finding[] = [];
  const packName = `${policy.pack.key}@${policy.pack.version}`;

  for (const check of policy.defaults.required_checks) {
    if (enabledCollectors.includes(check) || unavailableCollectors.includes(check)) continue;
    findings.push(
      packFinding("pack/required-check-disabled", `${packName} requires the ${check} collector, which is not enabled`, {
        scope: "project",
        suggestedFix: `enable it in gatehouse.config: collectors: { ${check}: {} }`,
      }),
    );
  }

  // No collector has evidence for these yet: say so in every report rather than let a switched-on
  // constraint read as checked.
  for (const [flag, on] of Object.entries(policy.constraints).sort(([a], [b]) => a.localeCompare(b))) {
    if (!on) continue;
    findings.push(
      packFinding("pack/constraint-unenforced", `${packName} sets the constraint ${flag}, which gatehouse cannot check: nothing it collects shows whether it holds`, {
        scope: "project",
        metadata: { constraint: flag },
        suggestedFix: `${WHERE_ENFORCED[flag as keyof typeof WHERE_ENFORCED] ?? "enforce it where the evidence is"}, or switch it off in gatehouse.config: pack: { overrides: { constraints: { ${flag}: false } } }`,
      }),
    );
  }

  for (const file of policy.requirements.files) {
    const problem = requiredFileProblem(root, join(root, file));
    if (problem === undefined) continue;
    const shown = displayPath(join(root, file));
    findings.push(
      packFinding("pack/required-file-missing", `${packName} requires ${file}, which ${problem}`, {
        input: shown,
        location: { file: shown },
        scope: "project",
        suggestedFix: `add ${file}`,
      }),
    );
  }

  for (const requirement of policy.requirements.headings) {
    // Bounded: committed links that lead to the same directories again and again (the glob may
    // come from the untrusted repo-local file) would walk for hours.
    let documents: string[];
    try {
      documents = fg.sync(requirement.glob, { cwd: root, fs: boundedGlobFsSync(root), onlyFiles: true, dot: false, ignore: ["**/node_modules/**"] }).sort();
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`cannot look for the documents ${requirement.glob} names: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, root);
    }
    if (documents.length === 0 && requirement.require_match) {
      findings.push(
        packFinding("pack/required-document-missing", `${packName} requires at least one document matching ${requirement.glob}`, {
          scope: "project",
          metadata: { glob: requirement.glob },
          suggestedFix: `add a Markdown document matching ${requirement.glob} with the headings ${requirement.headings.join(", ")}`,
        }),
      );
    }
    for (const document of documents) {
      const path = join(root, document);
      const shown = displayPath(path);
      let text: string;
      try {
        text = readUntrustedText(path, { maxBytes: MAX_DOCUMENT_BYTES, root });
      } catch (error) {
        findings.push(
          packFinding("pack/required-heading-missing", `${document}: cannot check required headings: ${(error as Error).message}`, {
            input: shown,
            location: { file: shown },
            scope: "artifact",
          }),
        );
        continue;
      }
      const present = new Set(markdownHeadings(text).map((h) => normalizeHeading(h.text)));
      for (const heading of requirement.headings) {
        if (present.has(normalizeHeading(heading))) continue;
        findings.push(
          packFinding("pack/required-heading-missing", `${document} has no "${heading}" heading (required by ${packName} for ${requirement.glob})`, {
            input: shown,
            location: { file: shown },
            scope: "artifact",
            metadata: { heading, glob: requirement.glob },
            suggestedFix: `add a "## ${heading}" section to ${document}`,
          }),
        );
      }
    }
  }
  return findings;
}
