// Waivers (.gatehouse/waivers.yaml, schema waivers.v1): each suppresses one rule code for one
// target until it expires. Untrusted input: size-capped and schema-checked entry by entry. An
// invalid entry (no owner, reason or expiry; a blank reason; a locked code; longer than the pack
// allows), an owner that is not a usable identity (identity/invalid: invisible characters, mixed
// scripts, blank; src/core/identity.ts) and an expired entry all deny and name themselves; none
// suppresses anything.

import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { findingFile, type Finding } from "../core/findings.js";
import { checkIdentity, requiredText, shown as shownText } from "../core/identity.js";
import { displayPath } from "../core/paths.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { packFinding } from "./core-codes.js";
import { isLockedCode, lockReason } from "./locks.js";
import { MAX_REPO_FILE_BYTES, readSmallDocument } from "./load.js";
import type { EffectivePolicy } from "./types.js";

export const WAIVERS_FILE = ".gatehouse/waivers.yaml";
const DAY_MS = 86_400_000;

export interface WaiverTarget {
  file?: string;
  symbol?: string;
  artifact?: string;
}

export interface Waiver {
  code: string;
  target: WaiverTarget;
  reason: string;
  owner: string;
  expires: string;
}

export interface ActiveWaiver extends Waiver {
  index: number;
  /** expiry instant in ms since the epoch */
  expiresMs: number;
}

export interface LoadedWaivers {
  active: ActiveWaiver[];
  /** pack/waiver-invalid and pack/waiver-expired findings */
  findings: Finding[];
}

/** Expiry instant: a bare date is valid through the end of that day (UTC). */
export function expiryMs(expires: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T00:00:00Z`) + DAY_MS : Date.parse(expires);
}

export function describeWaiver(entry: Partial<Waiver> | null, index: number): string {
  // An entry that failed its schema may be anything (null, a string): describe it without reading it.
  if (typeof entry !== "object" || entry === null) return `waiver #${index + 1} (not a waiver object)`;
  const target = entry.target && typeof entry.target === "object" ? Object.entries(entry.target).map(([k, v]) => `${k} ${v}`).join(", ") : "no target";
  return `waiver #${index + 1} (${entry.code ?? "no code"}, ${target}${typeof entry.owner === "string" ? `, owner ${shownText(entry.owner)}` : ""})`;
}

export function loadWaivers(root: string, schemas: SchemaRegistry, policy: EffectivePolicy, nowMs: number): LoadedWaivers {
  const file = join(root, WAIVERS_FILE);
  if (!existsSync(file)) return { active: [], findings: [] };
  const shown = displayPath(file);
  const invalid = (message: string, pointer = "") =>
    packFinding("pack/waiver-invalid", `${shown}: ${message}`, {
      input: shown,
      location: { file: shown, pointer },
      scope: "project",
      suggestedFix: "every waiver needs code, target (file, symbol or artifact), reason, owner and expires",
    });
  const read = readSmallDocument(file, MAX_REPO_FILE_BYTES, root);
  if (!read.ok) return { active: [], findings: [invalid(`${read.problem}; no waiver in it was used`)] };
  const problems = schemas.validate("waivers.v1", read.value, shown);
  // Problems inside one entry invalidate that entry; anything else invalidates the whole file.
  const byEntry = new Map<number, string[]>();
  const fileProblems: string[] = [];
  for (const p of problems) {
    const m = /^\/waivers\/(\d+)(?:\/|$)/.exec(p.location?.pointer ?? "");
    if (m) byEntry.set(Number(m[1]), [...(byEntry.get(Number(m[1])) ?? []), p.message]);
    else fileProblems.push(p.message);
  }
  if (fileProblems.length > 0) return { active: [], findings: [invalid(`${fileProblems.join("; ")}; no waiver in it was used`)] };

  const entries = (read.value as { waivers: Partial<Waiver>[] }).waivers;
  const active: ActiveWaiver[] = [];
  const findings: Finding[] = [];
  const maxDays = policy.defaults.waiver_max_days;
  entries.forEach((entry, index) => {
    const pointer = `/waivers/${index}`;
    const entryProblems = byEntry.get(index);
    if (entryProblems) {
      findings.push(invalid(`${describeWaiver(entry, index)} is invalid: ${entryProblems.join("; ")}`, pointer));
      return;
    }
    const waiver = entry as Waiver;
    const owner = checkIdentity(waiver.owner, `${describeWaiver(waiver, index)} owner`);
    if (!owner.ok) {
      findings.push({
        code: "identity/invalid",
        severity: "error",
        source: "pack",
        input: shown,
        location: { file: shown, pointer: `${pointer}/owner` },
        scope: "project",
        message: `${shown}: ${owner.message}; the waiver suppresses nothing`,
        suggestedFix: "name the waiver's owner in one script, without invisible characters",
      });
      return;
    }
    if (requiredText(waiver.reason) === "") {
      findings.push(invalid(`${describeWaiver(waiver, index)} has a blank reason (nothing left once invisible characters are dropped)`, pointer));
      return;
    }
    if (isLockedCode(waiver.code)) {
      findings.push(invalid(`${describeWaiver(waiver, index)} waives ${waiver.code}, a locked code (${lockReason(waiver.code)}) that no waiver can suppress`, pointer));
      return;
    }
    const expires = expiryMs(waiver.expires);
    if (Number.isNaN(expires)) {
      findings.push(invalid(`${describeWaiver(waiver, index)} has an unreadable expiry ${JSON.stringify(waiver.expires)}`, pointer));
      return;
    }
    if (expires <= nowMs) {
      findings.push(
        packFinding("pack/waiver-expired", `${shown}: ${describeWaiver(waiver, index)} expired on ${waiver.expires}: ${waiver.reason}`, {
          input: shown,
          location: { file: shown, pointer },
          scope: "project",
          metadata: { waiver: waiver.code, target: waiver.target, owner: waiver.owner, expires: waiver.expires },
          suggestedFix: "fix the finding and delete the waiver, or renew it with a new expiry agreed with its owner",
        }),
      );
      return;
    }
    if (maxDays !== undefined && expires - nowMs > maxDays * DAY_MS) {
      findings.push(invalid(`${describeWaiver(waiver, index)} expires ${waiver.expires}, more than the ${maxDays} days ${policy.pack.key}@${policy.pack.version} allows`, pointer));
      return;
    }
    active.push({ ...waiver, index, expiresMs: expires });
  });
  return { active, findings };
}

/** A path as the waiver file spells it: relative to the root, forward slashes. */
function rootRelative(root: string, path: string): string {
  const rel = relative(root, resolve(process.cwd(), path));
  return sep === "/" ? rel : rel.split(sep).join("/");
}

/** Does the waiver's target fingerprint match the finding? */
export function waiverMatches(waiver: Waiver, finding: Finding, root: string): boolean {
  if (waiver.code !== finding.code) return false;
  const { file, symbol, artifact } = waiver.target;
  if (file !== undefined) {
    const path = findingFile(finding);
    return path !== undefined && path !== "-" && rootRelative(root, path) === file.replace(/^\.\//, "");
  }
  // A symbol names one finding's symbol, exactly: a rule's name would waive every finding the
  // rule raises, a wildcard no reviewer sees in the waiver.
  if (symbol !== undefined) return typeof finding.metadata?.symbol === "string" && finding.metadata.symbol === symbol;
  if (artifact !== undefined) return finding.metadata?.artifact === artifact || finding.metadata?.digest === artifact;
  return false;
}
