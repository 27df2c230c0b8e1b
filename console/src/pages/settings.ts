// Project settings: choose a pack and version (with what each pack is and how the packs differ),
// edit the overrides, honour or not the repository's own override file, and see the effective
// policy and its hash before saving. Every check is the API's: the preview endpoint checks a
// draft exactly as the save does, and its errors are shown next to the field they name.

import { api, ApiError, seg } from "../api.js";
import { token } from "../session.js";
import { badge, formatTime, h, replace, shortHash, uniqueId, type Child } from "../dom.js";
import { announce, breadcrumb, facts, pageTitle, projectNav } from "../layout.js";
import { CONSTRAINT_FLAGS, type AuditEvent, type ConstraintFlag, type Effective, type HeadingRequirement, type Mode, type Overrides, type PackDetails, type PackDocument, type RuleSetting, type Severity } from "../types.js";

const SEVERITIES: readonly Severity[] = ["info", "warning", "error", "block"];
const PREVIEW_DELAY_MS = 250;

interface PolicyUpdate {
  pack: { key: string; version?: string };
  overrides: Overrides;
  repoLocal: boolean;
}

/** RFC 6901: how a rule code appears inside an error's JSON pointer. */
function pointerSegment(text: string): string {
  return text.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The field an API error message is about: its JSON pointer, or what the message names. */
export function pointerOf(message: string): string | undefined {
  const pointer = /^(\/\S*)\s/.exec(message);
  if (pointer) return pointer[1];
  const rule = /^rule (\S+) /.exec(message);
  if (rule) return `/overrides/rules/${pointerSegment(rule[1]!)}`;
  const constraint = /^constraint (\S+) /.exec(message);
  if (constraint) return `/overrides/constraints/${constraint[1]}`;
  if (message.includes("enforcement.mode")) return "/overrides/enforcement";
  if (/policy pack|no version|cannot be selected/.test(message)) return "/pack";
  return undefined;
}

function headingsText(headings: readonly HeadingRequirement[] | undefined): string {
  return (headings ?? []).map((r) => `${r.glob}: ${r.headings.join(" | ")}${r.require_match ? " (must match)" : ""}`).join("\n");
}

function parseHeadings(text: string): { headings: HeadingRequirement[]; problems: string[] } {
  const headings: HeadingRequirement[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((raw, i) => {
    let line = raw.trim();
    if (line === "") return;
    const requireMatch = line.endsWith("(must match)");
    if (requireMatch) line = line.slice(0, -"(must match)".length).trim();
    const colon = line.indexOf(":");
    if (colon < 1) {
      problems.push(`line ${i + 1}: write GLOB: Heading | Heading`);
      return;
    }
    const names = line.slice(colon + 1).split("|").map((s) => s.trim()).filter(Boolean);
    headings.push({ glob: line.slice(0, colon).trim(), headings: names, ...(requireMatch ? { require_match: true } : {}) });
  });
  return { headings, problems };
}

/** A refusal of the draft itself, shown next to its fields: invalid (400), or a loosening only the admin may make (403). */
function refusal(error: ApiError): boolean {
  return error.status === 400 || error.code === "admin_required";
}

/** Project tokens carry the service's prefix (src/service/projects/service.ts); the admin token is the operator's own. */
function signedInAsProject(): boolean {
  return token()?.startsWith("ghsp_") === true;
}

function select(id: string, options: [value: string, label: string, disabled?: boolean][], value: string, attrs: Record<string, string> = {}): HTMLSelectElement {
  const element = h("select", { id, ...attrs }, options.map(([v, label, disabled]) => h("option", { value: v, disabled: disabled === true }, label)));
  element.value = value;
  return element;
}

function packOf(details: PackDetails, version: string | null): PackDocument | undefined {
  const chosen = version ?? details.latest ?? details.versions[details.versions.length - 1]?.version;
  return details.versions.find((v) => v.version === chosen)?.document;
}

/** The attributes in which packs can differ, each as text for the comparison. */
const COMPARED: [label: string, value: (pack: PackDocument) => string][] = [
  ["Enforcement", (p) => `${p.enforcement.mode}${p.enforcement.locked ? " (locked)" : ""}`],
  ["Required checks", (p) => p.defaults.required_checks.join(", ") || "none"],
  ["Waivers at most", (p) => (p.defaults.waiver_max_days !== undefined ? `${p.defaults.waiver_max_days} days` : "no limit")],
  ["Required files", (p) => (p.requirements.files ?? []).join(", ") || "none"],
  ["Required headings", (p) => (p.requirements.headings ?? []).map((r) => `${r.glob}: ${r.headings.join(", ")}`).join("; ") || "none"],
  ["Constraints on", (p) => CONSTRAINT_FLAGS.filter((f) => p.constraints[f]).join(", ") || "none"],
  ["Blocking questions", (p) => p.clarifications.filter((c) => c.blocking).map((c) => c.key).join(", ") || "none"],
  ["Other questions", (p) => p.clarifications.filter((c) => !c.blocking).map((c) => c.key).join(", ") || "none"],
  ["Rule settings", (p) => Object.entries(p.rules).map(([code, r]) => `${code}${r.severity ? ` ${r.severity}` : ""}${r.enabled === false ? " off" : ""}${r.locked ? " locked" : ""}`).join(", ") || "none"],
];

function comparison(packs: PackDetails[], selectedKey: string, selectedVersion: string | null): HTMLElement {
  const docs = packs.map((p) => ({ summary: p, doc: packOf(p, p.key === selectedKey ? selectedVersion : null) }));
  const rows = COMPARED.map(([label, value]) => ({ label, values: docs.map((d) => (d.doc ? value(d.doc) : "—")) }));
  const differing = rows.filter((r) => new Set(r.values).size > 1);
  const same = rows.length - differing.length;
  return h(
    "details",
    { open: true, class: "compare-box" },
    h("summary", null, "How the packs differ", same > 0 ? h("span", { class: "muted" }, ` (${same} ${same === 1 ? "attribute is" : "attributes are"} the same in every pack and not shown)`) : null),
    h(
      "div",
      { class: "table-wrap" },
      h(
      "table",
      { class: "data compare", id: "pack-comparison" },
      h("caption", { class: "visually-hidden" }, "How the packs differ"),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, "Attribute"),
          docs.map((d) => h("th", { scope: "col", class: d.summary.key === selectedKey ? "selected" : null }, d.summary.name, h("div", { class: "muted mono" }, `${d.summary.key}@${d.doc?.meta.version ?? "?"}`), d.summary.key === selectedKey ? h("div", null, badge("info", "selected")) : null)),
        ),
      ),
      h(
        "tbody",
        null,
        differing.map((r) => h("tr", null, h("th", { scope: "row" }, r.label), r.values.map((v, i) => h("td", { class: docs[i]!.summary.key === selectedKey ? "selected" : null }, v)))),
      ),
      ),
    ),
  );
}

function describeChange(event: AuditEvent): Child {
  const before = event.old as Record<string, unknown> | null;
  const after = event.new as Record<string, unknown> | null;
  if (event.event === "clarification.answered") {
    const a = after as { key: string; value: string };
    return [h("span", { class: "mono" }, a.key), ": ", before ? `${(before as { value: string }).value} → ` : "", h("strong", null, a.value)];
  }
  const policyOf = (v: unknown) => v as { pack: { key: string; version: string | null }; overrides: unknown; repoLocal: boolean } | undefined;
  const packText = (p: { key: string; version: string | null }) => `${p.key}@${p.version ?? "latest"}`;
  if (event.event === "project.created") {
    const policy = policyOf((after as { policy?: unknown } | null)?.policy);
    return policy ? `registered with ${packText(policy.pack)}` : "registered";
  }
  const old = policyOf(before);
  const next = policyOf(after);
  if (!next) return null;
  const parts: Child[] = [];
  if (!old || packText(old.pack) !== packText(next.pack)) parts.push(h("li", null, "pack ", old ? h("span", { class: "mono" }, packText(old.pack)) : null, old ? " → " : "", h("span", { class: "mono" }, packText(next.pack))));
  if (!old || JSON.stringify(old.overrides) !== JSON.stringify(next.overrides)) {
    parts.push(h("li", null, "overrides ", h("code", null, JSON.stringify(old?.overrides ?? {})), " → ", h("code", null, JSON.stringify(next.overrides))));
  }
  if (!old || old.repoLocal !== next.repoLocal) parts.push(h("li", null, `repo-local file ${next.repoLocal ? "honoured" : "ignored"}`));
  return parts.length > 0 ? h("ul", { class: "changes" }, parts) : "saved without changes";
}

const EVENT_LABELS: Record<string, string> = {
  "project.created": "Project registered",
  "project.policy_changed": "Policy changed",
  "clarification.answered": "Clarification answered",
};

function historyList(events: AuditEvent[]): HTMLElement {
  if (events.length === 0) return h("p", { class: "muted" }, "No changes recorded.");
  return h(
    "ol",
    { class: "history", reversed: true },
    [...events].reverse().map((e) =>
      h("li", null, h("div", { class: "history-head" }, h("strong", null, EVENT_LABELS[e.event] ?? e.event), " by ", h("span", { class: "mono" }, e.actor), h("time", { datetime: e.at, class: "muted" }, ` ${formatTime(e.at)}`)), describeChange(e)),
    ),
  );
}

async function loadHistory(id: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let after = 0; ; ) {
    const page = await api("console-history.v1", "GET", `/console/api/projects/${seg(id)}/history?after=${after}&limit=1000`);
    events.push(...page.events);
    if (page.next === null) return events;
    after = page.next;
  }
}

export async function settingsPage(main: HTMLElement, [id]: string[], isCurrent: () => boolean): Promise<string> {
  const projectId = id!;
  const [policy, packList, history] = await Promise.all([
    api("project.v1", "GET", `/projects/${seg(projectId)}/policy`),
    api("pack-list.v1", "GET", "/policy_packs"),
    loadHistory(projectId),
  ]);
  const packs = await Promise.all(packList.packs.map((p) => api("pack.v1", "GET", `/policy_packs/${seg(p.key)}`)));
  let saved: Effective | ApiError = await api("effective-policy.v1", "GET", `/projects/${seg(projectId)}/policy/effective`).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 409) return error;
    throw error;
  });
  if (!isCurrent()) return "Settings";
  const title = `${policy.name}: settings`;

  // Error slots: a paragraph after each field, tied to it by aria-describedby.
  const slots = new Map<string, { slot: HTMLElement; control: HTMLElement }>();
  const slotFor = (pointer: string, control: HTMLElement): HTMLElement => {
    const slot = h("p", { class: "field-error", id: uniqueId("error"), hidden: true });
    control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), slot.id].filter(Boolean).join(" "));
    slots.set(pointer, { slot, control });
    return slot;
  };

  // Pack and version.
  const packSelect = select("pack", packs.map((p) => [p.key, `${p.name} (${p.key})`]), policy.pack.key);
  const versionSelect = h("select", { id: "pack-version" });
  const description = h("p", { id: "pack-description", class: "help" });
  const comparisonBox = h("div");
  const fillVersions = (version: string | null) => {
    const details = packs.find((p) => p.key === packSelect.value)!;
    replace(
      versionSelect,
      h("option", { value: "" }, `Latest active${details.latest ? ` (${details.latest})` : " (none)"}`),
      details.versions.map((v) => h("option", { value: v.version, disabled: v.status !== "active" }, `${v.version}${v.status !== "active" ? ` (${v.status})` : ""}`)),
    );
    versionSelect.value = version ?? "";
  };
  const showPack = () => {
    const details = packs.find((p) => p.key === packSelect.value)!;
    const doc = packOf(details, versionSelect.value || null);
    description.textContent = doc?.meta.description ?? details.description;
    replace(comparisonBox, comparison(packs, packSelect.value, versionSelect.value || null));
  };
  fillVersions(policy.pack.version);
  showPack();
  packSelect.setAttribute("aria-describedby", "pack-description");
  const packError = slotFor("/pack", packSelect);

  // Overrides.
  const o = policy.overrides;
  const modeSelect = select("ov-mode", [["", "Pack default"], ["warn", "warn: report, never deny"], ["block", "block: deny on error and block findings"]], o.enforcement?.mode ?? "");
  const modeError = slotFor("/overrides/enforcement", modeSelect);
  const constraintFields = CONSTRAINT_FLAGS.map((flag) => {
    const current = o.constraints?.[flag];
    const control = select(`ov-constraint-${flag}`, [["", "Pack default"], ["on", "On"], ["off", "Off"]], current === undefined ? "" : current ? "on" : "off");
    return { flag, control, error: slotFor(`/overrides/constraints/${flag}`, control) };
  });

  const ruleRows = h("tbody");
  const rulesTable = h(
    "table",
    { class: "data rules", id: "rules-table" },
    h("caption", null, "Rule overrides"),
    h("thead", null, h("tr", null, ["Rule code", "Severity", "Enabled", "Locked", ""].map((c) => h("th", { scope: "col" }, c)))),
    ruleRows,
  );
  const rulesError = slotFor("/overrides/rules", rulesTable);
  interface RuleRow {
    row: HTMLTableRowElement;
    code: HTMLInputElement;
    severity: HTMLSelectElement;
    enabled: HTMLSelectElement;
    locked: HTMLSelectElement;
    error: HTMLElement;
  }
  const rules: RuleRow[] = [];
  const addRule = (code: string, setting: RuleSetting, focus = false) => {
    const n = uniqueId("rule");
    const codeInput = h("input", { id: `${n}-code`, class: "rule-code mono", value: code, placeholder: "area/name or area/*", spellcheck: "false", "aria-label": "Rule code" });
    const severity = select(`${n}-severity`, [["", "unchanged"], ...SEVERITIES.map((s): [string, string] => [s, s])], setting.severity ?? "", { "aria-label": "Severity" });
    const enabled = select(`${n}-enabled`, [["", "unchanged"], ["on", "on"], ["off", "off"]], setting.enabled === undefined ? "" : setting.enabled ? "on" : "off", { "aria-label": "Enabled" });
    const locked = select(`${n}-locked`, [["", "unchanged"], ["on", "locked"], ["off", "unlocked"]], setting.locked === undefined ? "" : setting.locked ? "on" : "off", { "aria-label": "Locked" });
    const error = h("p", { class: "field-error", id: `${n}-error`, hidden: true });
    codeInput.setAttribute("aria-describedby", error.id);
    const entry: RuleRow = { row: h("tr"), code: codeInput, severity, enabled, locked, error };
    const remove = h(
      "button",
      {
        type: "button",
        class: "button-quiet",
        "aria-label": "Remove this rule override",
        onclick: () => {
          rules.splice(rules.indexOf(entry), 1);
          entry.row.remove();
          schedulePreview();
          addButton.focus();
        },
      },
      "Remove",
    );
    entry.row.append(h("td", null, codeInput, error), h("td", null, severity), h("td", null, enabled), h("td", null, locked), h("td", null, remove));
    rules.push(entry);
    ruleRows.append(entry.row);
    if (focus) codeInput.focus();
  };
  for (const [code, setting] of Object.entries(o.rules ?? {})) addRule(code, setting);
  const addButton = h("button", { type: "button", id: "add-rule", onclick: () => addRule("", {}, true) }, "Add a rule override");

  const filesArea = h("textarea", { id: "ov-files", rows: "3", spellcheck: "false", "aria-describedby": "ov-files-help" });
  filesArea.value = (o.requirements?.files ?? []).join("\n");
  const filesError = slotFor("/overrides/requirements/files", filesArea);
  const headingsArea = h("textarea", { id: "ov-headings", rows: "3", spellcheck: "false", "aria-describedby": "ov-headings-help" });
  headingsArea.value = headingsText(o.requirements?.headings);
  const headingsError = slotFor("/overrides/requirements/headings", headingsArea);
  const repoLocal = h("input", { id: "repo-local", type: "checkbox", checked: policy.repoLocal });
  const repoLocalError = slotFor("/repoLocal", repoLocal);
  const summary = h("div", { id: "error-summary", class: "notice notice-error", role: "alert", hidden: true, tabindex: "-1" });

  const collect = (): { update: PolicyUpdate; problems: [string, string][] } => {
    const overrides: Overrides = {};
    const problems: [string, string][] = [];
    if (modeSelect.value) overrides.enforcement = { mode: modeSelect.value as Mode };
    for (const { flag, control } of constraintFields) {
      if (control.value) (overrides.constraints ??= {})[flag as ConstraintFlag] = control.value === "on";
    }
    for (const r of rules) {
      const setting: RuleSetting = {};
      if (r.severity.value) setting.severity = r.severity.value as Severity;
      if (r.enabled.value) setting.enabled = r.enabled.value === "on";
      if (r.locked.value) setting.locked = r.locked.value === "on";
      const code = r.code.value.trim();
      if (code === "" && Object.keys(setting).length === 0) continue;
      (overrides.rules ??= {})[code] = setting;
    }
    const files = filesArea.value.split("\n").map((s) => s.trim()).filter(Boolean);
    const parsed = parseHeadings(headingsArea.value);
    for (const problem of parsed.problems) problems.push(["/overrides/requirements/headings", problem]);
    if (files.length > 0 || parsed.headings.length > 0) {
      overrides.requirements = { ...(files.length > 0 ? { files } : {}), ...(parsed.headings.length > 0 ? { headings: parsed.headings } : {}) };
    }
    const pack = versionSelect.value ? { key: packSelect.value, version: versionSelect.value } : { key: packSelect.value };
    return { update: { pack, overrides, repoLocal: repoLocal.checked }, problems };
  };

  const clearErrors = () => {
    for (const { slot, control } of slots.values()) {
      slot.hidden = true;
      slot.textContent = "";
      control.removeAttribute("aria-invalid");
    }
    for (const r of rules) {
      r.error.hidden = true;
      r.error.textContent = "";
      r.code.removeAttribute("aria-invalid");
    }
    summary.hidden = true;
    replace(summary);
  };
  const showErrors = (messages: [pointer: string | undefined, message: string][]) => {
    clearErrors();
    for (const [pointer, message] of messages) {
      let slot: HTMLElement | undefined;
      let control: HTMLElement | undefined;
      const rule = pointer ? /^\/overrides\/rules\/([^/]+)/.exec(pointer) : null;
      const row = rule ? rules.find((r) => pointerSegment(r.code.value.trim()) === rule[1]) : undefined;
      if (row) [slot, control] = [row.error, row.code];
      else if (pointer) {
        const best = [...slots.keys()].filter((k) => pointer === k || pointer.startsWith(`${k}/`)).sort((a, b) => b.length - a.length)[0];
        if (best) ({ slot, control } = slots.get(best)!);
      }
      if (slot && control) {
        slot.hidden = false;
        slot.append(h("span", { class: "error-line" }, message));
        control.setAttribute("aria-invalid", "true");
      }
    }
    summary.hidden = false;
    replace(summary, h("p", null, h("strong", null, messages.length === 1 ? "The service refused this change:" : `The service refused this change (${messages.length} problems):`)), h("ul", null, messages.map(([, m]) => h("li", null, m))));
  };
  const apiErrors = (error: ApiError): [string | undefined, string][] => (error.errors.length > 0 ? error.errors : [error.message]).map((m) => [pointerOf(m), m]);

  // The preview: the effective policy and hash of the draft, against the saved one.
  const savedHash = h("code", { id: "saved-hash" });
  const previewHash = h("code", { id: "preview-hash" }, "…");
  const previewState = h("p", { id: "preview-state", class: "help" });
  const previewMode = h("span", { id: "preview-mode" });
  const previewPack = h("span", { id: "preview-pack", class: "mono" });
  const previewPolicy = h("pre", { id: "preview-policy", class: "json", tabindex: "0", "aria-label": "Effective policy as JSON" });
  const showSaved = () => {
    if (saved instanceof ApiError) {
      savedHash.textContent = "none";
      savedHash.title = saved.message;
    } else {
      savedHash.textContent = saved.hash;
    }
  };
  showSaved();
  let previewSeq = 0;
  let timer: number | undefined;
  const runPreview = async () => {
    const seq = ++previewSeq;
    const { update, problems } = collect();
    if (problems.length > 0) {
      showErrors(problems);
      previewState.textContent = "Fix the marked fields to see the effective policy.";
      return;
    }
    try {
      const preview = await api("console-preview.v1", "POST", `/console/api/projects/${seg(projectId)}/policy/preview`, update);
      if (seq !== previewSeq) return;
      clearErrors();
      previewHash.textContent = preview.hash;
      previewMode.textContent = preview.policy.enforcement.mode + (preview.policy.enforcement.locked ? " (locked)" : "");
      previewPack.textContent = `${preview.pack.key}@${preview.pack.version}`;
      previewPolicy.textContent = JSON.stringify(preview.policy, null, 2);
      const same = !(saved instanceof ApiError) && saved.hash === preview.hash;
      previewState.textContent = same ? "Same as the saved policy." : "Differs from the saved policy: save to apply it to the next runs.";
      previewHash.classList.toggle("changed", !same);
    } catch (error) {
      if (seq !== previewSeq) return;
      if (error instanceof ApiError && refusal(error)) {
        showErrors(apiErrors(error));
        previewHash.textContent = "—";
        previewState.textContent = "This draft is not valid: see the marked fields.";
      } else throw error;
    }
  };
  const schedulePreview = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void runPreview().catch((error: unknown) => announce(error instanceof Error ? error.message : String(error))), PREVIEW_DELAY_MS);
  };

  const historyBox = h("div", { id: "history" }, historyList(history));
  const saveButton = h("button", { type: "submit", id: "save", class: "button-primary" }, "Save policy");
  const form = h(
    "form",
    { id: "policy-form", class: "settings-form", novalidate: true },
    signedInAsProject()
      ? h(
          "p",
          { id: "project-token-note", class: "help" },
          "Signed in with this project's token: you may tighten the policy (raise severities, lock rules, add requirements, switch constraints on). Choosing another pack or version, warn mode, any loosening and honouring the repository's own file need the admin token.",
        )
      : null,
    h(
      "fieldset",
      null,
      h("legend", null, "Policy pack"),
      h("div", { class: "field-row" }, h("div", { class: "field" }, h("label", { for: "pack" }, "Pack"), packSelect, packError), h("div", { class: "field" }, h("label", { for: "pack-version" }, "Version"), versionSelect)),
      description,
      comparisonBox,
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Overrides"),
      h("p", { class: "help" }, "Overrides may tighten the pack; a pack's locked rules and locked block mode cannot be loosened."),
      h(
        "div",
        { class: "field-row" },
        h("div", { class: "field" }, h("label", { for: "ov-mode" }, "Enforcement mode"), modeSelect, modeError),
        constraintFields.map(({ flag, control, error }) => h("div", { class: "field" }, h("label", { for: control.id }, flag.replace(/_/g, " ")), control, error)),
      ),
      h("div", { class: "table-wrap" }, rulesTable),
      rulesError,
      addButton,
      h(
        "div",
        { class: "field-row" },
        h("div", { class: "field grow" }, h("label", { for: "ov-files" }, "Extra required files"), h("p", { id: "ov-files-help", class: "help" }, "One path per line, relative to the repository root."), filesArea, filesError),
        h(
          "div",
          { class: "field grow" },
          h("label", { for: "ov-headings" }, "Extra required headings"),
          h("p", { id: "ov-headings-help", class: "help" }, "One requirement per line: GLOB: Heading | Heading, optionally ending in (must match)."),
          headingsArea,
          headingsError,
        ),
      ),
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Repository file"),
      h("div", { class: "check" }, repoLocal, h("label", { for: "repo-local" }, "Honour the repository's own .gatehouse/policy file")),
      repoLocalError,
      h("p", { class: "help" }, "When honoured, the repository may tighten the policy further; runs are then judged by pack and version, since only the repository sees its file."),
    ),
    summary,
    h("div", { class: "actions" }, saveButton, h("button", { type: "button", id: "reset", onclick: () => void settingsPage(main, [projectId], isCurrent).then(() => announce("Draft discarded.")) }, "Discard draft")),
  );
  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", (event) => {
    if (event.target === packSelect) fillVersions(null);
    if (event.target === packSelect || event.target === versionSelect) showPack();
    schedulePreview();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { update, problems } = collect();
    if (problems.length > 0) {
      showErrors(problems);
      summary.focus();
      return;
    }
    saveButton.disabled = true;
    window.clearTimeout(timer);
    api("project.v1", "PUT", `/projects/${seg(projectId)}/policy`, update)
      .then(async () => {
        clearErrors();
        saved = await api("effective-policy.v1", "GET", `/projects/${seg(projectId)}/policy/effective`);
        showSaved();
        replace(historyBox, historyList(await loadHistory(projectId)));
        announce(`Saved. The effective policy hash is now ${shortHash(saved.hash)}.`);
        await runPreview();
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && refusal(error)) {
          showErrors(apiErrors(error));
          summary.focus();
          announce("Not saved: the service refused the change.");
        } else announce(`Not saved: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        saveButton.disabled = false;
      });
  });

  replace(
    main,
    breadcrumb(["Projects", "#/projects"], [policy.name]),
    pageTitle(policy.name, h("span", { class: "muted mono title-id" }, ` ${policy.id}`)),
    projectNav(projectId, "settings"),
    h(
      "div",
      { class: "columns" },
      h("section", { class: "main-column", "aria-labelledby": "settings-title" }, h("h2", { id: "settings-title" }, "Policy settings"), form),
      h(
        "aside",
        { class: "side-column" },
        h(
          "section",
          { class: "card", "aria-labelledby": "preview-title", id: "preview" },
          h("h2", { id: "preview-title" }, "Effective policy preview"),
          facts([
            ["Draft hash", previewHash],
            ["Saved hash", savedHash],
            ["Pack", previewPack],
            ["Mode", previewMode],
          ]),
          previewState,
          h("details", null, h("summary", null, "The effective policy (JSON)"), previewPolicy),
        ),
        h("section", { class: "card", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "History"), historyBox),
      ),
    ),
  );
  await runPreview();
  return title;
}
