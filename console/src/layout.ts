// The parts every page shares: the breadcrumb, a project's sub-navigation, the status line that
// screen readers announce, and how an API failure is shown (403 says plainly what the token may
// not see).

import { ApiError } from "./api.js";
import { h, href, type Child } from "./dom.js";

export class NotSignedIn extends Error {}

export function breadcrumb(...items: [label: string, link?: string][]): HTMLElement {
  return h(
    "nav",
    { "aria-label": "Breadcrumb", class: "breadcrumb" },
    h(
      "ol",
      null,
      items.map(([label, link], i) => h("li", null, link && i < items.length - 1 ? h("a", { href: link }, label) : h("span", { "aria-current": i === items.length - 1 ? "page" : null }, label))),
    ),
  );
}

export type ProjectTab = "settings" | "runs" | "clarifications";

const TABS: Record<ProjectTab, string> = { settings: "Settings", runs: "Runs and charts", clarifications: "Clarifications" };

export function projectNav(projectId: string, current: ProjectTab): HTMLElement {
  return h(
    "nav",
    { "aria-label": "Project", class: "tabs" },
    h(
      "ul",
      null,
      (Object.keys(TABS) as ProjectTab[]).map((tab) => h("li", null, h("a", { href: href("projects", projectId, tab), "aria-current": tab === current ? "page" : null }, TABS[tab]))),
    ),
  );
}

/** The page's heading, focused after each navigation so a screen reader starts there. */
export function pageTitle(text: Child, ...extra: Child[]): HTMLElement {
  return h("h1", { tabindex: "-1", id: "page-title" }, text, ...extra);
}

export function announce(message: string): void {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}

/** A failed load, as the page's content. 401 goes back to the sign-in form (the caller does that). */
export function failure(error: unknown): HTMLElement {
  if (error instanceof ApiError && error.status === 403) {
    return h(
      "section",
      { class: "notice notice-error", role: "alert", "aria-labelledby": "denied-title" },
      h("h1", { id: "denied-title", tabindex: "-1" }, "Access denied (403)"),
      h("p", null, "This token may not see this page. A project's token sees only its own project; sign in with that project's token or the admin token."),
      h("p", { class: "detail" }, "The service said: ", h("q", null, error.message)),
      h("p", null, h("a", { href: href("projects") }, "Back to your projects")),
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return h("section", { class: "notice notice-error", role: "alert" }, h("h1", { tabindex: "-1" }, "Not found"), h("p", null, error.message), h("p", null, h("a", { href: href("projects") }, "Back to projects")));
  }
  const message = error instanceof Error ? error.message : String(error);
  return h("section", { class: "notice notice-error", role: "alert" }, h("h1", { tabindex: "-1" }, "Something failed"), h("p", null, message));
}

/** A definition list of label → value pairs (values are text or nodes). */
export function facts(rows: [string, Child][]): HTMLDListElement {
  return h("dl", { class: "facts" }, rows.map(([term, value]) => [h("dt", null, term), h("dd", null, value)]));
}
