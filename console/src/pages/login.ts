// Sign in with a service token: the admin token (GATEHOUSE_ADMIN_TOKEN) or a project's token.
// The token is checked against the API before it is kept for the session.

import { api, ApiError } from "../api.js";
import { h, replace } from "../dom.js";
import { pageTitle } from "../layout.js";
import { signIn, signOut } from "../session.js";

export function loginPage(main: HTMLElement, next: string, notice?: string): void {
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true, "aria-describedby": "token-help" });
  const error = h("p", { id: "token-error", class: "field-error", hidden: true });
  const button = h("button", { type: "submit", class: "button-primary" }, "Sign in");
  const form = h(
    "form",
    { class: "login card", novalidate: true },
    h("label", { for: "token" }, "Token"),
    input,
    h("p", { id: "token-help", class: "help" }, "The admin token, or the token your project was given when it was registered. It is kept for this browser tab only."),
    error,
    button,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim();
    const show = (message: string) => {
      error.textContent = message;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "token-error token-help");
      input.focus();
    };
    if (value === "") return show("Enter a token.");
    button.disabled = true;
    signIn(value);
    api("console-projects.v1", "GET", "/console/api/projects")
      .then(() => {
        location.hash = next.startsWith("#/login") ? "#/projects" : next;
        if (location.hash === next) window.dispatchEvent(new HashChangeEvent("hashchange"));
      })
      .catch((failure: unknown) => {
        signOut();
        show(failure instanceof ApiError && failure.status === 401 ? `The service refused this token: ${failure.message}` : failure instanceof Error ? failure.message : String(failure));
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  replace(
    main,
    h("div", { class: "login-wrap" }, pageTitle("Sign in to the gatehouse console"), notice ? h("p", { class: "notice", role: "alert" }, notice) : null, form),
  );
}
