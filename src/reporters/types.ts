// The reporter interface. Reporters only render: they receive a finished outcome (a verdict, or
// a tool error that prevented one) and return text. They never decide and never exit.

import type { Verdict } from "../core/verdict.js";

export interface ToolErrorReport {
  /** UsageError, ConfigError, ToolchainError or InternalError */
  type: string;
  message: string;
}

export type Outcome = { verdict: Verdict; error?: undefined } | { verdict?: undefined; error: ToolErrorReport };

export interface ReportContext {
  toolName: string;
  toolVersion: string;
  /** colour allowed (TTY, NO_COLOR unset) */
  color: boolean;
  env: NodeJS.ProcessEnv;
}

export interface Reporter {
  description: string;
  /** Renders the outcome; the returned text goes to stdout or the `--format name=FILE` target. */
  render(outcome: Outcome, context: ReportContext): string;
  /** Optional side output (e.g. the GitHub step summary), written by the CLI, not the reporter. */
  sideOutputs?(outcome: Outcome, context: ReportContext): { path: string; content: string; append: boolean }[];
}
