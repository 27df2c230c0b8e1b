// Finding codes raised by gatehouse itself (not by Rego rules). Each is a fail-closed case:
// something could not be proven safe, so the run denies. The table is typed Record<GateCode, ...>
// so a new code does not compile until it has a title, its docs and the case that triggers it;
// test/codes.test.ts checks every `trigger` really produces its code.

import { EXTRACT_CODES, type ExtractCode } from "../contracts/extract-codes.js";
import type { Severity } from "./findings.js";

export type GateCode =
  | "gate/no-policies"
  | "gate/no-inputs"
  | "gate/no-policy-for-kind"
  | "gate/namespace-unmatched"
  | "gate/zero-rules"
  | "gate/collector-failed"
  | "gate/server-denied"
  | "schema/invalid"
  | "schema/unknown-kind"
  | "policy/bad-result"
  | "policy/finding-without-msg"
  | "policy/eval-error"
  | "policy/timeout"
  | "policy/missing-builtin"
  | "input/unreadable"
  | "input/unparsable"
  | "input/too-large"
  | "input/unsupported-format"
  | "input/not-a-document"
  | "bundle/stale"
  | "bundle/tampered"
  | "bundle/untrusted"
  | "ledger/broken"
  | "ledger/malformed"
  | "ledger/missing-entry"
  | "ledger/rewritten"
  | "ledger/duplicate-operation"
  | "ledger/approval-after-execution"
  | "ledger/head-mismatch"
  | "ledger/unknown-file"
  | "identity/invalid"
  | "contracts/registry-missing"
  | "contracts/decision-invalid"
  | ExtractCode;

export interface CodeInfo {
  title: string;
  /** One paragraph: what happened and how to fix it. Rendered in SARIF rule help and docs. */
  docs: string;
  severity: Severity;
  /** The CLI case (a folder under test/cases/) that triggers this code, or a test file (test/x.test.ts) that asserts it. */
  trigger: string;
}

export const GATE_CODES: Record<GateCode, CodeInfo> = {
  "gate/no-policies": {
    title: "No policies found",
    docs: "The policy directory or bundle holds no Rego rules. A gate with nothing to enforce cannot prove anything safe, so it denies. Point --policy at a directory of .rego files or a built bundle (a --policy path that does not exist is a configuration error, exit 2).",
    severity: "error",
    trigger: "no-policies",
  },
  "gate/no-inputs": {
    title: "No inputs found",
    docs: "No file matched the arguments or the configured collectors. An empty run would pass vacuously, so it denies. Check the paths and globs.",
    severity: "error",
    trigger: "no-inputs",
  },
  "gate/no-policy-for-kind": {
    title: "Input kind has no policy",
    docs: "An input of this kind was collected but no policy package governs it. Add rules for the kind's namespace or stop collecting it.",
    severity: "error",
    trigger: "no-policy-for-kind",
  },
  "gate/namespace-unmatched": {
    title: "Namespace matches no policy package",
    docs: "The requested --namespace (or the kind's namespace) matches no package in the bundle. A typo here would silently evaluate nothing, so it denies.",
    severity: "error",
    trigger: "namespace-unmatched",
  },
  "gate/zero-rules": {
    title: "Zero rules evaluated",
    docs: "The selected packages define no deny, violation or warn rules, so nothing was evaluated for this input. Zero evaluated rules is a deny, never a pass.",
    severity: "error",
    trigger: "zero-rules",
  },
  "gate/collector-failed": {
    title: "Collector failed",
    docs: "A collector could not turn repository artifacts into inputs (an unreadable file, a git error, a malformed source). What was not collected cannot be checked, so it denies.",
    severity: "error",
    trigger: "collector-failed",
  },
  "gate/server-denied": {
    title: "The policy service denied the run",
    docs: "`gatehouse gate --server` uploaded the run and the policy service stored it as denied: its decision, not the local one, is the run's (the project's pack was disabled or changed after the policy was fetched, the run's effective hash is not the project's, a waiver has expired or runs longer than the pack allows by the server's clock, the run was judged by a bundle other than the released one or one the operator trusts (`policy:` or `--policy` chose the repository's own), or the report contradicts itself). The finding lists the server's reasons and the stored run's id. Fix what the reasons name, or have the project's policy changed on the service, and run again.",
    severity: "error",
    trigger: "test/adversarial/issue-14-service-calls.test.ts",
  },
  "schema/invalid": {
    title: "Input does not match its schema",
    docs: "The input failed validation against its versioned JSON Schema; the finding names the JSON pointer and the schema's message. Policies never see an input that fails its schema.",
    severity: "error",
    trigger: "schema-invalid",
  },
  "schema/unknown-kind": {
    title: "Unknown input kind",
    docs: "The input names a kind that has no schema. Every kind must name a versioned schema under schemas/.",
    severity: "error",
    trigger: "unknown-kind",
  },
  "policy/bad-result": {
    title: "Rule returned an unusable result",
    docs: "A deny/violation/warn rule must be a set of strings or of objects with a string `msg`. A bare boolean (`deny if true`), a string (`deny := \"x\"`) or a set of numbers cannot be turned into findings, so it denies.",
    severity: "error",
    trigger: "bad-result",
  },
  "policy/finding-without-msg": {
    title: "Finding object without msg",
    docs: "A rule produced an object finding with no string `msg`. Every finding must say what is wrong.",
    severity: "error",
    trigger: "finding-without-msg",
  },
  "policy/eval-error": {
    title: "Policy evaluation failed",
    docs: "The WebAssembly evaluation raised an error or aborted (for example a runtime conflict in a complete rule, a builtin that threw, or one native to OPA's wasm runtime given operands OPA refuses: `count(1)`, `1 / 0`; as `opa eval --strict-builtin-errors`). The input is denied.",
    severity: "error",
    trigger: "eval-error",
  },
  "policy/timeout": {
    title: "Evaluation exceeded its time budget",
    docs: "Evaluating the input took longer than the configured budget (--timeout, default 10 s); the evaluation was stopped (its worker thread terminated, or the main thread's run interrupted). Simplify the policy or raise the budget.",
    severity: "error",
    trigger: "timeout",
  },
  "policy/missing-builtin": {
    title: "Policy needs a builtin that is not available",
    docs: "The compiled policy imports a builtin that neither the OPA wasm runtime nor gatehouse implements, or its wasm cannot be read to check the runtime's native builtins for errors (evaluated unchecked, their errors would read as undefined). The bundle is refused at load rather than failing halfway through evaluation.",
    severity: "error",
    trigger: "missing-builtin",
  },
  "input/unreadable": {
    title: "Input cannot be read",
    docs: "The input is there but cannot be read (a dangling link, no permission, an I/O error) or is not a regular file (a FIFO, device, directory or socket, also through a symlink): gatehouse reads untrusted files only through src/core/read.ts, which refuses those before reading. A path that does not exist at all is a usage error (exit 2), not a deny.",
    severity: "error",
    trigger: "unreadable",
  },
  "input/unparsable": {
    title: "Input cannot be parsed",
    docs: "The input does not parse in its format (conftest's parser for it gave an error), has duplicate keys, uses YAML aliases beyond the safe limit (alias bombs), holds a number readers would hold differently, or its parsed document would leave out or misread what the file says (a Dockerfile heredoc body or a frontend syntax directive, an ignore pattern read byte by byte, a byte order mark kept in a key...): the message names where.",
    severity: "error",
    trigger: "unparsable",
  },
  "input/too-large": {
    title: "Input over the size limit",
    docs: "The input is larger than the configured limit (--max-input-bytes, default 10 MiB) and was not parsed.",
    severity: "error",
    trigger: "too-large",
  },
  "input/unsupported-format": {
    title: "No parser for the input's format",
    docs: "The input's file name selects no parser (conftest's rules: the extension names a format, or names such as Dockerfile, .env, nginx.conf, Jenkinsfile, CODEOWNERS do). It is not evaluated as YAML or anything else. Pass --parser NAME if the file really is in one of conftest's formats; directory walks skip such files.",
    severity: "error",
    trigger: "unsupported-format",
  },
  "input/not-a-document": {
    title: "Input is a bare scalar",
    docs: "The input parsed to a string, number, boolean or null (for a YAML stream: one of its documents did) where a mapping or a list is expected. Usually a file in another format under a .yaml or .json name, or stdin that is not JSON or YAML. An empty file is one too where its format has no empty document: a YAML file with no document (empty or only comments) and an empty XML file, which conftest evaluates as null and \"\"; formats whose empty file is a document (TOML, HCL, INI, properties, dotenv, CUE, HOCON: {}) are evaluated as conftest does, and the others (JSON, Dockerfile...) fail to parse (input/unparsable). Policies are never evaluated against it.",
    severity: "error",
    trigger: "not-a-document",
  },
  "bundle/stale": {
    title: "Bundle does not match its Rego sources",
    docs: "The bundle manifest records a sha256 for every Rego source; a source changed, appeared or disappeared since the bundle was built. Rebuild it with `gatehouse build`.",
    severity: "error",
    trigger: "stale-bundle",
  },
  "bundle/tampered": {
    title: "Bundle wasm does not match its manifest",
    docs: "The wasm module's sha256 differs from the one its manifest records; the manifest is missing or malformed (no Rego sources recorded, a source path outside its root); or the manifest's entrypoints, packages or aggregates are not those the wasm holds (the entrypoints evaluated are read from the wasm, the manifest's list is a cross-check; a rule OPA lists only because it refers to an entrypoint, a test or a helper, is not evaluated, as under conftest). The bundle is refused.",
    severity: "error",
    trigger: "tampered-bundle",
  },
  "bundle/untrusted": {
    title: "Shipped bundle is not the one this installation pinned",
    docs: "gatehouse's own bundle (the installed package's bundle/, used by gate, promote, ops, ledger and check-summary unless a policy is given) has another manifest or wasm digest than the one pinned into the program when it was built (`npm run compile`), or the program carries no pin. The bundle was changed after install and is refused. Reinstall gatehouse, or pass your own policy explicitly (`--policy DIR`, or `policy:` in gatehouse.config.yaml).",
    severity: "error",
    trigger: "test/adversarial/issue-14-bundle.test.ts",
  },
  "ledger/broken": {
    title: "Ops ledger chain is broken",
    docs: "An entry of ops/ledger/*.jsonl does not follow the one before it: its seq skips or repeats, or its prev is not the sha256 of the previous entry's canonical JSON. An entry was edited, removed or reordered. Restore the ledger from version control; corrections are appended, never rewritten.",
    severity: "error",
    trigger: "test/ledger.test.ts",
  },
  "ledger/malformed": {
    title: "Ops ledger line is not a valid entry",
    docs: "A line of the ledger is blank, not JSON, torn (no trailing newline: an append that never completed) or does not match ops-ledger-entry.v1, or a stray file sits in the ledger directory. The next append sets a torn last line aside; anything else needs the ledger restored from version control.",
    severity: "error",
    trigger: "test/ledger.test.ts",
  },
  "ledger/missing-entry": {
    title: "Governance change without a ledger entry",
    docs: "The commit touches ops/ or another configured governance file (gatehouse.config ops.governanceFiles) but appends no entry to the ops ledger. Append one with `gatehouse ledger append ENTRY` and stage the ledger file in the same commit.",
    severity: "error",
    trigger: "test/ops.test.ts",
  },
  "ledger/rewritten": {
    title: "Ledger file rewritten instead of appended to",
    docs: "A staged ledger month file does not start with its committed content: an entry was edited, removed or reordered, or the file was deleted or renamed. The ledger is append-only; a correction is a new entry with `corrects`.",
    severity: "error",
    trigger: "test/ops.test.ts",
  },
  "ledger/duplicate-operation": {
    title: "Operation signed off twice",
    docs: "Two entries of the ledger sign off the same operation_id. An operation is signed off once; a later entry about it is a correction (`corrects: <seq>` of its sign-off, keeping its approval record). `gatehouse ledger append` refuses the second sign-off; verify names both entries.",
    severity: "error",
    trigger: "test/adversarial/issue-14-ledger.test.ts",
  },
  "ledger/approval-after-execution": {
    title: "Approval timestamp after the execution",
    docs: "An entry's approval_timestamp is later than its execution_timestamp (or either is not a readable RFC 3339 instant): the operation ran before it was approved. `gatehouse ledger append` refuses it; verify names the entry.",
    severity: "error",
    trigger: "test/adversarial/issue-14-ledger.test.ts",
  },
  "ledger/head-mismatch": {
    title: "Ledger head anchor missing or not matched",
    docs: "ops/ledger/HEAD records the seq and sha256 of the ledger's last entry (written by every append, committed with it). The chain does not end there: entries were removed, a month file was renamed or replaced by a fresh chain, HEAD is missing while the ledger has entries, or (with --base) the chain no longer holds the head recorded at the base ref, so the history moved backwards. Restore the ledger from version control; `gatehouse ledger anchor` writes a missing HEAD for a ledger that verifies.",
    severity: "error",
    trigger: "test/adversarial/issue-14-ledger.test.ts",
  },
  "ledger/unknown-file": {
    title: "Unknown file in the ledger directory",
    docs: "The ledger directory holds only month files (YYYY-MM.jsonl), HEAD, the append lock and the torn fragments an append set aside (`<month>.jsonl.<ms>.<pid>.torn`, a partial line without a newline). Anything else, such as a month file renamed to `.bak` or `.torn`, could hide history, so it denies.",
    severity: "error",
    trigger: "test/adversarial/issue-14-ledger.test.ts",
  },
  "identity/invalid": {
    title: "Identity refused",
    docs: "A person's identity (ops requested_by/approved_by, a waiver owner, a contract decision's approvedBy, a ledger entry) contains an invisible or format character (zero-width space, BOM, soft hyphen, bidi control: Unicode Cf and similar), mixes scripts (Latin with Cyrillic or Greek look-alikes), or is blank after NFKC normalisation. Such names can make one person look like two, so the record they sign is not used. Identities are compared after NFKC, case folding and look-alike folding (src/core/identity.ts).",
    severity: "error",
    trigger: "test/adversarial/issue-14-identities.test.ts",
  },
  "contracts/registry-missing": {
    title: "Contract registry missing",
    docs: "The contracts collector found no registry file (default contracts/registry.json). It denies in every pack (no waiver or override lifts it), and the diff still runs: against the base ref (configured, else the git HEAD) its registry or, where the ref has none, the contracts extracted from its sources; without git, against nothing. Create the registry with `gatehouse contracts accept` and commit it.",
    severity: "error",
    trigger: "test/contracts-cli.test.ts",
  },
  "contracts/decision-invalid": {
    title: "Policy decision file invalid",
    docs: "A file under contracts/decisions/ is not JSON, fails policy-decision.v1, or its decisionId does not match its file name. A decision that cannot be read approves nothing.",
    severity: "error",
    trigger: "test/contracts-cli.test.ts",
  },
  ...EXTRACT_CODES,
};

export function isGateCode(code: string): code is GateCode {
  return Object.hasOwn(GATE_CODES, code);
}
