// The codes the packs module raises. The integrity ones (a rejected override, an invalid or
// expired waiver, broken clarifications) are locked (src/packs/locks.ts): a pack decides how strict
// the project's rules are; it cannot waive the integrity of its own layers.

import type { Finding, Severity } from "../core/findings.js";
import { isLockedCode } from "./locks.js";

export type PackIntegrityCode =
  | "pack/override-invalid"
  | "pack/override-loosens"
  | "pack/override-mode-locked"
  | "pack/waiver-invalid"
  | "pack/waiver-expired"
  | "pack/clarifications-invalid";

export type PackCode =
  | PackIntegrityCode
  | "pack/required-file-missing"
  | "pack/required-heading-missing"
  | "pack/required-document-missing"
  | "pack/required-check-disabled"
  | "pack/clarification-unanswered"
  | "pack/clarification-open"
  | "pack/constraint-unenforced"
  | "pack/waiver-unmatched";

export interface PackCodeInfo {
  title: string;
  docs: string;
  /** severity before the pack's rule settings and mode apply */
  severity: Severity;
  /** integrity codes are locked (LOCKED_CODES in locks.ts lists them; a test checks the two agree) */
  integrity: boolean;
}

/** Every code the packs module raises; typed so a new code cannot be raised undocumented. */
export const PACK_CODES: Record<PackCode, PackCodeInfo> = {
  "pack/override-invalid": {
    title: "Repo-local policy override rejected",
    docs: "The .gatehouse/policy.yaml|.json file is over 64 KiB, unparsable, fails schema policy-override.v1, or both a YAML and a JSON file exist. The file is not applied.",
    severity: "error",
    integrity: true,
  },
  "pack/override-loosens": {
    title: "Repo-local override loosens the policy",
    docs: "The repo-local override loosens something: it lowers a severity, disables or unlocks a rule, switches enforcement to warn or a constraint off (the repo-local file may only tighten, unless gatehouse.config's pack.allowLocalLoosening names that key), loosens a rule the pack or the config locked, or touches a locked code (which nothing loosens). The finding names the key (metadata.key); the file is not applied.",
    severity: "error",
    integrity: true,
  },
  "pack/override-mode-locked": {
    title: "Override switches locked block mode off",
    docs: "The pack locks its enforcement mode (enterprise-compliance) and the repo-local override sets mode: warn. The file is not applied.",
    severity: "error",
    integrity: true,
  },
  "pack/waiver-invalid": {
    title: "Invalid waiver",
    docs: "A waiver in .gatehouse/waivers.yaml lacks its code, target, owner, reason or expiry, has a blank reason, waives a locked code (docs/rules.md lists them; lifting a lock is refused), or expires later than the pack's waiver_max_days allows. It suppresses nothing. An owner that is not a usable identity is identity/invalid.",
    severity: "error",
    integrity: true,
  },
  "pack/waiver-expired": {
    title: "Expired waiver",
    docs: "A waiver's expiry has passed (against --now / GATEHOUSE_NOW or the clock). It denies, names itself and suppresses nothing: fix the finding or renew the waiver with its owner.",
    severity: "error",
    integrity: true,
  },
  "pack/clarifications-invalid": {
    title: "Invalid clarification answers",
    docs: "The .gatehouse/clarifications.yaml file fails schema clarifications.v1 or answers a question with a value outside its options. No answer in it counts; record answers with `gatehouse clarify KEY VALUE`.",
    severity: "error",
    integrity: true,
  },
  "pack/required-file-missing": {
    title: "Required file missing",
    docs: "The effective policy requires a file (requirements.files) that does not exist, or is not a regular file of the repository (a directory, a link out of it).",
    severity: "error",
    integrity: false,
  },
  "pack/required-heading-missing": {
    title: "Required heading missing",
    docs: "A Markdown document matched by a requirements.headings glob lacks a required heading (ATX or setext, outside code).",
    severity: "error",
    integrity: false,
  },
  "pack/required-document-missing": {
    title: "Required document missing",
    docs: "A requirements.headings entry with require_match: true matches no document.",
    severity: "error",
    integrity: false,
  },
  "pack/required-check-disabled": {
    title: "Required collector disabled",
    docs: "The pack's defaults.required_checks names a collector that gatehouse.config does not enable.",
    severity: "error",
    integrity: false,
  },
  "pack/clarification-unanswered": {
    title: "Blocking clarification unanswered",
    docs: "The effective policy asks a blocking question that .gatehouse/clarifications.yaml does not answer. Denies in block mode, warns in warn mode. Answer with `gatehouse clarify KEY VALUE`.",
    severity: "error",
    integrity: false,
  },
  "pack/constraint-unenforced": {
    title: "Constraint not enforced by gatehouse",
    docs: "A constraint flag of the effective policy (forbid_stub_execution, require_ci_green, require_code_review) is on, but no collector has the evidence to check it, so the gate cannot prove it holds. Enforce it where the evidence is (branch protection: required status checks and reviews), or switch it off in gatehouse.config's pack overrides.",
    severity: "warning",
    integrity: false,
  },
  "pack/waiver-unmatched": {
    title: "Waiver matches nothing",
    docs: "An active waiver in .gatehouse/waivers.yaml suppressed no finding in this run: its code or target (file, symbol, artifact) does not match what the gate reports, or the finding is gone. A waiver's target.file is matched against the file every report shows for the finding (for a contract change, its source file, not the registry). Fix the target, or delete the waiver once the finding is fixed.",
    severity: "warning",
    integrity: false,
  },
  "pack/clarification-open": {
    title: "Clarification open",
    docs: "A non-blocking question of the effective policy is unanswered; informational, with the recommended answer.",
    severity: "info",
    integrity: false,
  },
};

export { codeArea } from "./locks.js";

/** True for codes (or `area/*` patterns) that packs cannot loosen: isLockedCode, under its older name. */
export function isCoreCode(code: string): boolean {
  return isLockedCode(code);
}

/** Builds a finding raised by the packs module, at its code's documented severity. */
export function packFinding(code: PackCode, message: string, extra: Omit<Finding, "code" | "severity" | "message" | "source"> = {}): Finding {
  return { code, severity: PACK_CODES[code].severity, message, source: "pack", ...extra };
}
