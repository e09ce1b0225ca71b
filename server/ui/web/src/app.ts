// The dashboard's entry point: the shell (navigation, who is logged in, the stream's status and
// the aria-live status line), the login gate, and the hash router that swaps views.

import { el, button, replaceChildren } from "./dom.js";
import { EventStream } from "./event_stream.js";
import type { StreamStatus } from "./event_stream.js";
import { fleetView } from "./fleet_view.js";
import { jobView } from "./job_view.js";
import { loginView } from "./login_view.js";
import { machineView } from "./machine_view.js";
import { onRouteChange, parseRoute } from "./router.js";
import type { Route } from "./router.js";
import { endSession, loggedIn, onSessionEnd, roleSummary, userName } from "./session.js";
import type { Cleanup, ViewContext } from "./view.js";
import { workflowView, workflowsView } from "./workflow_view.js";

const app = document.getElementById("app") as HTMLElement;
const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
const streamState = el("span", { class: "stream", "data-testid": "stream-status" });
const main = el("main", { id: "view", tabindex: -1 });
let cleanup: Cleanup | null = null;
let events: EventStream | null = null;

function setStreamStatus(s: StreamStatus): void {
  streamState.textContent = s === "live" ? "● live" : s;
  streamState.dataset["status"] = s;
}

function announce(message: string): void {
  status.textContent = message;
}

const fleetLink = el("a", { href: "#/" }, "Fleet");
const workflowsLink = el("a", { href: "#/workflows" }, "Workflows");

function shell(): HTMLElement {
  const nav = el("nav", { "aria-label": "Main" }, fleetLink, workflowsLink);
  const who = el("span", { class: "who" }, `${userName()} (${roleSummary()})`);
  const logout = button("Log out", () => endSession("You logged out."));
  return el("header", { class: "top" }, el("span", { class: "brand" }, "drover"), nav,
            streamState, who, logout);
}

function show(route: Route): void {
  if (!loggedIn()) return showLogin("");
  cleanup?.();
  cleanup = null;
  announce("");
  const ctx: ViewContext = { events: events as EventStream, announce };
  switch (route.view) {
    case "fleet": cleanup = fleetView(main, route.query, ctx); break;
    case "machine": cleanup = machineView(main, route.id, ctx); break;
    case "job": cleanup = jobView(main, route.id, ctx); break;
    case "workflows": cleanup = workflowsView(main, ctx); break;
    case "workflow": cleanup = workflowView(main, route.name, ctx); break;
    case "notfound":
      replaceChildren(main, el("h1", {}, "Not found"),
                      el("p", {}, `Nothing at ${route.path}. `, el("a", { href: "#/" }, "Fleet")));
  }
  document.title = `drover: ${route.view}`;
  const section = route.view === "workflows" || route.view === "workflow" ? workflowsLink
                : route.view === "fleet" ? fleetLink : null;
  for (const a of [fleetLink, workflowsLink])
    if (a === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  // The link that was followed is gone with the old view: start keyboard and screen reader
  // users at the top of the new one.
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

function start(): void {
  events = new EventStream(["machines.*.*", "jobs.*.*", "workflows.*.*", "stages.*.*"],
                           setStreamStatus);
  events.start();
  replaceChildren(app, shell(), status, main);
  show(parseRoute(location.hash));
}

function showLogin(notice: string): void {
  cleanup?.();
  cleanup = null;
  events?.stop();
  events = null;
  loginView(app, notice, start);
}

onSessionEnd((reason) => showLogin(reason));
onRouteChange((r) => { if (events) show(r); });
if (loggedIn()) start();
else showLogin("");
