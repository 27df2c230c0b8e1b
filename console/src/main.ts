// The console's entry: the page shell (skip link, banner, main, status line) and the hash router.
// Each page renders into <main> from the API's answers; a 401 returns to the sign-in form.

import { ApiError } from "./api.js";
import { h, href, replace } from "./dom.js";
import { failure, NotSignedIn } from "./layout.js";
import { clarificationsPage } from "./pages/clarifications.js";
import { loginPage } from "./pages/login.js";
import { projectsPage } from "./pages/projects.js";
import { runPage } from "./pages/run.js";
import { runsPage } from "./pages/runs.js";
import { settingsPage } from "./pages/settings.js";
import { stepPage } from "./pages/step.js";
import { signOut, token } from "./session.js";

export type Render = (main: HTMLElement, params: string[], isCurrent: () => boolean) => Promise<string>;

/** Hash routes: a pattern of segments (`:` marks a parameter) → the page that renders it. */
const ROUTES: [pattern: string, render: Render][] = [
  ["projects", projectsPage],
  ["projects/:id/settings", settingsPage],
  ["projects/:id/runs", runsPage],
  ["projects/:id/clarifications", clarificationsPage],
  ["runs/:id", runPage],
  ["steps/:id", stepPage],
];

function match(segments: string[]): [Render, string[]] | undefined {
  for (const [pattern, render] of ROUTES) {
    const parts = pattern.split("/");
    if (parts.length !== segments.length) continue;
    const params: string[] = [];
    if (parts.every((part, i) => (part.startsWith(":") ? params.push(segments[i]!) > 0 : part === segments[i]))) return [render, params];
  }
  return undefined;
}

let main: HTMLElement;
let sessionBox: HTMLElement;
let navigation = 0;
/** The first page of a load keeps the browser's own focus (the top of the document, then the skip link). */
let moved = false;

function renderSession(): void {
  replace(
    sessionBox,
    token()
      ? h(
          "button",
          {
            type: "button",
            class: "button-quiet",
            onclick: () => {
              signOut();
              location.hash = "#/login";
            },
          },
          "Sign out",
        )
      : null,
  );
}

async function route(): Promise<void> {
  const hash = location.hash;
  if (hash !== "" && !hash.startsWith("#/")) return; // an in-page anchor, not a page
  const current = ++navigation;
  const isCurrent = () => current === navigation;
  const segments = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  renderSession();
  if (segments[0] === "login" || !token()) {
    const next = segments[0] === "login" ? (segments.length > 1 ? `#/${segments.slice(1).map(encodeURIComponent).join("/")}` : href("projects")) : hash || href("projects");
    document.title = "Sign in · gatehouse console";
    loginPage(main, next);
    focusTitle();
    return;
  }
  const found = match(segments.length === 0 ? ["projects"] : segments);
  main.setAttribute("aria-busy", "true");
  try {
    if (!found) throw new ApiError(404, "resource_not_found", `no page ${hash}`, []);
    const title = await found[0](main, found[1], isCurrent);
    if (!isCurrent()) return;
    document.title = `${title} · gatehouse console`;
  } catch (error) {
    if (!isCurrent()) return;
    if (error instanceof NotSignedIn || (error instanceof ApiError && error.status === 401)) {
      signOut();
      renderSession();
      loginPage(main, hash, error instanceof ApiError ? `Signed out: ${error.message}` : undefined);
      focusTitle();
      return;
    }
    replace(main, failure(error));
    document.title = "Error · gatehouse console";
  } finally {
    if (isCurrent()) main.removeAttribute("aria-busy");
  }
  if (isCurrent()) focusTitle();
}

/** After a navigation, the new page's heading takes the focus, so a screen reader starts there. */
function focusTitle(): void {
  if (moved) (document.getElementById("page-title") ?? main.querySelector<HTMLElement>("h1") ?? main).focus();
  moved = true;
}

function shell(): void {
  main = h("main", { id: "main", tabindex: "-1" });
  sessionBox = h("div", { class: "session" });
  const skip = h(
    "a",
    {
      class: "skip-link",
      href: "#main",
      onclick: (event) => {
        event.preventDefault();
        main.focus();
      },
    },
    "Skip to content",
  );
  const banner = h(
    "header",
    { class: "topbar" },
    h("a", { class: "brand", href: href("projects") }, "gatehouse", h("span", { class: "brand-sub" }, " console")),
    h("nav", { "aria-label": "Main" }, h("ul", null, h("li", null, h("a", { href: href("projects") }, "Projects")))),
    sessionBox,
  );
  const status = h("div", { id: "status", role: "status", "aria-live": "polite", class: "status-line" });
  document.body.replaceChildren(skip, banner, main, status);
}

shell();
window.addEventListener("hashchange", () => void route());
void route();
