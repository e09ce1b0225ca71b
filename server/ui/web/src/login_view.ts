// The login form: a drover user name and password, exchanged once for a token
// (GET /users/<name>/token with Basic auth); the password is never stored.

import { el, labelled, replaceChildren } from "./dom.js";
import { login, LoginError } from "./session.js";

export function loginView(root: HTMLElement, notice: string, onLoggedIn: () => void): void {
  const user = el("input", { type: "text", autocomplete: "username", required: true });
  const pass = el("input", { type: "password", autocomplete: "current-password", required: true });
  const message = el("p", { class: notice ? "notice" : "", role: "alert" }, notice);
  const submit = el("button", { type: "submit", class: "primary" }, "Log in");
  const form = el("form", { class: "login", "aria-labelledby": "login-title" },
                  el("h1", { id: "login-title" }, "Log in to drover"),
                  el("div", {}, labelled("login-user", "User name", user), user),
                  el("div", {}, labelled("login-password", "Password", pass), pass),
                  submit, message);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    message.className = "";
    message.textContent = "Logging in…";
    login(user.value.trim(), pass.value)
      .then(() => {
        pass.value = "";
        onLoggedIn();
      })
      .catch((err: unknown) => {
        message.className = "error";
        message.textContent = err instanceof LoginError ? err.message : `Login failed: ${String(err)}`;
        submit.disabled = false;
        pass.select();
      });
  });
  replaceChildren(root, form);
  user.focus();
}
