// The shapes of the API answers the console reads (schemas/api/*.schema.json and the resource
// routes' answers). Only the fields the pages use.

export type Severity = "info" | "warning" | "error" | "block";
export type Mode = "warn" | "block";

export interface RuleSetting {
  severity?: Severity;
  enabled?: boolean;
  locked?: boolean;
}

export interface HeadingRequirement {
  glob: string;
  headings: string[];
  require_match?: boolean;
}

export interface Overrides {
  rules?: Record<string, RuleSetting>;
  enforcement?: { mode?: Mode };
  requirements?: { files?: string[]; headings?: HeadingRequirement[] };
  constraints?: Partial<Record<ConstraintFlag, boolean>>;
}

export type ConstraintFlag = "forbid_stub_execution" | "require_ci_green" | "require_code_review";
export const CONSTRAINT_FLAGS: readonly ConstraintFlag[] = ["forbid_stub_execution", "require_ci_green", "require_code_review"];

export interface Clarification {
  key: string;
  question: string;
  options: string[];
  recommended?: string;
  blocking: boolean;
  applies_to: string[];
}

export interface EffectivePolicy {
  pack: { key: string; version: string };
  defaults: { required_checks: string[]; waiver_max_days?: number };
  requirements: { files: string[]; headings: HeadingRequirement[] };
  rules: Record<string, RuleSetting>;
  enforcement: { mode: Mode; locked: boolean };
  clarifications: Clarification[];
  constraints: Record<ConstraintFlag, boolean>;
}

export interface PackDocument {
  meta: { key: string; name: string; version: string; description: string };
  defaults: { required_checks: string[]; waiver_max_days?: number };
  requirements: { files?: string[]; headings?: HeadingRequirement[] };
  rules: Record<string, RuleSetting>;
  enforcement: { mode: Mode; locked?: boolean };
  clarifications: Clarification[];
  constraints: Partial<Record<ConstraintFlag, boolean>>;
}

export type PackStatus = "active" | "deprecated" | "disabled";

export interface PackSummary {
  key: string;
  name: string;
  description: string;
  latest: string | null;
  versions: { version: string; status: PackStatus }[];
}

export interface PackDetails extends Omit<PackSummary, "versions"> {
  versions: { version: string; status: PackStatus; description: string; document: PackDocument }[];
}

export interface Counts {
  block: number;
  error: number;
  warning: number;
  info: number;
  suppressed: number;
}

export interface RunSummary {
  id: string;
  decision: "allow" | "deny";
  reportedVerdict: string;
  pack: string | null;
  version: string | null;
  effectiveHash: string | null;
  mode: string | null;
  commit: string | null;
  ref: string | null;
  createdAt: string;
  counts: Counts;
}

export interface ProjectOverview {
  id: string;
  name: string;
  pack: { key: string; version: string | null; resolved: string | null; status: PackStatus | null };
  mode: Mode | null;
  repoLocal: boolean;
  effectiveHash: string | null;
  problem: string | null;
  runs: number;
  lastRun: RunSummary | null;
  blocking: string[];
  unanswered: string[];
}

export interface ProjectPolicy {
  id: string;
  name: string;
  pack: { key: string; version: string | null };
  overrides: Overrides;
  repoLocal: boolean;
  updatedAt: string;
}

export interface Effective {
  policy: EffectivePolicy;
  hash: string;
  pack: { key: string; version: string; status: PackStatus };
  answers: Record<string, string>;
}

export interface Preview {
  pack: { key: string; version: string; status: PackStatus };
  policy: EffectivePolicy;
  hash: string;
  repoLocal: boolean;
}

export interface AuditEvent {
  seq: number;
  event: string;
  actor: string;
  at: string;
  subject: string;
  old: unknown;
  new: unknown;
}

export interface Step {
  id: string;
  runId: string;
  projectId: string;
  position: number;
  path: string;
  kind: string | null;
  sha256: string | null;
  bytes: number | null;
  rulesEvaluated: number | null;
}

export interface Run extends Omit<RunSummary, "counts"> {
  projectId: string;
  reasons: string[];
  pipeline: string | null;
  uploadedBy: string;
  steps: Step[];
}

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  source?: string;
  input?: string;
  rule?: string;
  location?: { file?: string; pointer?: string; line?: number; column?: number };
  scope?: string;
  suggestedFix?: string;
  metadata?: Record<string, unknown>;
  suppressed?: { kind: "exception" | "waiver"; justification: string; owner?: string; expires?: string };
}

export interface StoredFinding {
  seq: number;
  runId: string;
  stepId: string;
  code: string;
  severity: string;
  finding: Finding;
  createdAt: string;
}

export interface FindingPage {
  findings: StoredFinding[];
  next: number | null;
}

export interface Question {
  key: string;
  question: string;
  options: string[];
  recommended?: string;
  blocking: boolean;
  appliesTo: string[];
  answer: { key: string; value: string; answeredBy: string; answeredAt: string } | null;
}

export interface Questions {
  pack: string;
  questions: Question[];
  unanswered: string[];
  blocking: string[];
}

export interface RunQuestions {
  run: string;
  pack: string | null;
  source: "snapshot" | "pack" | "none";
  questions: (Omit<Question, "appliesTo" | "answer"> & { answer: { value: string; answeredBy: string; answeredAt: string } | null; reportedOpen: boolean })[];
}
