// Codes no pack, override or waiver can loosen: the gate's own fail-closed codes and the codes
// that report a broken pack layer (a rejected override, an invalid or expired waiver). A pack
// decides how strict the project's rules are; it cannot waive the integrity of the gate itself.

import type { Finding } from "../core/findings.js";

export const CORE_CODE_AREAS = ["gate", "bundle", "policy", "input", "schema"] as const;

export type PackIntegrityCode =
  | "pack/override-invalid"
  | "pack/override-loosens"
  | "pack/override-mode-locked"
  | "pack/waiver-invalid"
  | "pack/waiver-expired"
  | "pack/clarifications-invalid";

export const PACK_INTEGRITY_CODES: ReadonlySet<string> = new Set<PackIntegrityCode>([
  "pack/override-invalid",
  "pack/override-loosens",
  "pack/override-mode-locked",
  "pack/waiver-invalid",
  "pack/waiver-expired",
  "pack/clarifications-invalid",
]);

export function codeArea(code: string): string {
  const slash = code.indexOf("/");
  return slash === -1 ? code : code.slice(0, slash);
}

/** True for codes (or `area/*` patterns) that packs cannot loosen. */
export function isCoreCode(code: string): boolean {
  return (CORE_CODE_AREAS as readonly string[]).includes(codeArea(code)) || PACK_INTEGRITY_CODES.has(code);
}

/** Builds a finding raised by the packs module. */
export function packFinding(
  code: string,
  severity: Finding["severity"],
  message: string,
  extra: Omit<Finding, "code" | "severity" | "message" | "source"> = {},
): Finding {
  return { code, severity, message, source: "pack", ...extra };
}
