// A project's clarifications: each question with its options and the recommended answer;
// answering one records it centrally (POST .../clarifications/{key}) and the page reloads from
// the API, so what it shows is what the next run will get.

import { api, ApiError, seg } from "../api.js";
import { badge, formatTime, h, href, replace } from "../dom.js";
import { announce, breadcrumb, pageTitle, projectNav } from "../layout.js";
import type { Question } from "../types.js";

function questionForm(projectId: string, q: Question, onAnswered: (key: string, value: string) => void): HTMLElement {
  const name = `answer-${q.key}`;
  const error = h("p", { class: "field-error", id: `${name}-error`, hidden: true });
  const button = h("button", { type: "submit", class: "button-primary" }, q.answer ? "Change answer" : "Answer");
  const form = h(
    "form",
    { class: `question card${q.blocking && !q.answer ? " question-blocking" : ""}`, "data-key": q.key, novalidate: true },
    h(
      "fieldset",
      { "aria-describedby": error.id },
      h("legend", null, q.question),
      h(
        "div",
        { class: "question-meta" },
        h("span", { class: "mono" }, q.key),
        q.blocking ? badge("deny", "blocking") : badge("info", "not blocking"),
        q.answer ? badge("allow", `answered: ${q.answer.value}`) : badge("warning", "unanswered"),
      ),
      h(
        "div",
        { class: "options" },
        q.options.map((option, i) => {
          const id = `${name}-${i}`;
          return h(
            "div",
            { class: "check" },
            h("input", { type: "radio", id, name, value: option, checked: q.answer ? q.answer.value === option : q.recommended === option }),
            h("label", { for: id }, option, q.recommended === option ? h("span", { class: "recommended" }, " (recommended)") : null),
          );
        }),
      ),
      q.answer ? h("p", { class: "muted" }, `Answered by ${q.answer.answeredBy} at ${formatTime(q.answer.answeredAt)}.`) : null,
      error,
      button,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(name)}"]:checked`);
    if (!chosen) {
      error.hidden = false;
      error.textContent = "Choose an answer.";
      return;
    }
    button.disabled = true;
    api("clarification-answered.v1", "POST", `/projects/${seg(projectId)}/clarifications/${seg(q.key)}`, { value: chosen.value })
      .then(() => onAnswered(q.key, chosen.value))
      .catch((failure: unknown) => {
        error.hidden = false;
        error.textContent = failure instanceof ApiError ? failure.message : String(failure);
        button.disabled = false;
      });
  });
  return form;
}

export async function clarificationsPage(main: HTMLElement, [id]: string[], isCurrent: () => boolean): Promise<string> {
  const projectId = id!;
  const [policy, questions] = await Promise.all([api("project.v1", "GET", `/projects/${seg(projectId)}/policy`), api("project-clarifications.v1", "GET", `/projects/${seg(projectId)}/clarifications`)]);
  if (!isCurrent()) return "Clarifications";
  const onAnswered = (key: string, value: string) => {
    void clarificationsPage(main, [projectId], isCurrent).then(() => {
      announce(`Answered ${key}: ${value}.`);
      main.querySelector<HTMLElement>(`form[data-key="${CSS.escape(key)}"] button`)?.focus();
    });
  };
  const open = questions.questions.filter((q) => !q.answer);
  const answered = questions.questions.filter((q) => q.answer);
  replace(
    main,
    breadcrumb(["Projects", "#/projects"], [policy.name, href("projects", projectId, "settings")], ["Clarifications"]),
    pageTitle(policy.name, h("span", { class: "muted mono title-id" }, ` ${projectId}`)),
    projectNav(projectId, "clarifications"),
    h(
      "p",
      { class: "lede", id: "clarification-summary" },
      `${questions.pack} asks ${questions.questions.length} ${questions.questions.length === 1 ? "question" : "questions"}. `,
      questions.blocking.length > 0 ? h("strong", null, `${questions.blocking.length} unanswered blocking: runs deny until ${questions.blocking.length === 1 ? "it is" : "they are"} answered.`) : "Nothing blocks the next run.",
    ),
    h("section", { "aria-labelledby": "open-title" }, h("h2", { id: "open-title" }, `Open (${open.length})`), open.length > 0 ? open.map((q) => questionForm(projectId, q, onAnswered)) : h("p", { class: "muted" }, "Every question is answered.")),
    answered.length > 0 ? h("section", { "aria-labelledby": "answered-title" }, h("h2", { id: "answered-title" }, `Answered (${answered.length})`), answered.map((q) => questionForm(projectId, q, onAnswered))) : null,
  );
  return `${policy.name}: clarifications`;
}
