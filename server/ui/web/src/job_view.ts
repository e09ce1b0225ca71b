// One job: its fields, its rendered actions (GET /jobs/<id>/actions) and its log, followed live
// while the job runs (GET /jobs/<id>/log?follow=true), resumed after a drop from the bytes
// already shown with `Range: bytes=N-` (server/api/job_log_routes.cpp).

import { ApiError, getJson, messageOf, request } from "./api.js";
import { between, el, localTime, replaceChildren, stateBadge } from "./dom.js";
import type { DrpEvent, Job, JobAction, Machine } from "./model.js";
import { machineHref } from "./router.js";
import { can } from "./session.js";
import type { Cleanup, ViewContext } from "./view.js";

const RETRY_MS = 2000;
// A longer log is shown from its last this many bytes (a browser tab is no place for 64 MiB).
const LOG_TAIL_BYTES = 2 * 1024 * 1024;

function isOver(job: Job): boolean {
  return job.State === "finished" || job.State === "failed";
}

export function actionList(actions: JobAction[]): HTMLElement {
  if (actions.length === 0) return el("p", { class: "muted" }, "No actions.");
  return el("div", { class: "actions" }, ...actions.map((a) =>
      el("details", { "data-action": a.Name },
         el("summary", {}, a.Name, " ",
            el("span", { class: "muted" }, a.Path ? `→ ${a.Path}` : "(script)")),
         el("pre", { class: "code" }, a.Content))));
}

function facts(job: Job, machineName: string): HTMLElement {
  const row = (k: string, v: Node | string): HTMLElement[] => [el("dt", {}, k), el("dd", {}, v)];
  return el("dl", { class: "facts" },
            ...row("State", stateBadge(job.State)),
            ...row("Exit state", job.ExitState || "—"),
            ...row("Machine", el("a", { href: machineHref(job.Machine) }, machineName)),
            ...row("Task", job.Task),
            ...row("Stage", job.Stage || "—"),
            ...row("Workflow", job.Workflow || "—"),
            ...row("BootEnv", job.BootEnv || "—"),
            ...row("Started", localTime(job.StartTime)),
            ...row("Ended", localTime(job.EndTime) || "—"),
            ...row("Duration", between(job.StartTime, job.EndTime) || "—"),
            ...row("Task index", String(job.CurrentIndex)));
}

export function jobView(root: HTMLElement, id: string, ctx: ViewContext): Cleanup {
  const abort = new AbortController();
  let job: Job | null = null;
  let machineName = "";
  const title = el("h1", {}, "Job");
  const factsBox = el("div", {});
  const errors = el("p", { class: "error", role: "alert" });
  const actionsBox = el("div", {}, el("p", { class: "muted" }, "Loading actions…"));
  const logState = el("p", { class: "muted", "aria-live": "polite", "data-testid": "log-status" });
  const log = el("pre", { class: "log", "data-testid": "job-log", tabindex: 0,
                          "aria-label": "Job log" });

  const drawFacts = (): void => {
    if (!job) return;
    title.textContent = `Job ${job.Task} on ${machineName}`;
    replaceChildren(factsBox, facts(job, machineName));
  };

  let offset = 0;
  const decoder = new TextDecoder();
  const appendLog = (bytes: Uint8Array): void => {
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.appendChild(document.createTextNode(decoder.decode(bytes, { stream: true })));
    offset += bytes.length;
    if (atEnd) log.scrollTop = log.scrollHeight;
  };

  // One read of the log from `offset`; follows while the job is not over. False when done.
  async function readLog(): Promise<boolean> {
    const follow = job !== null && !isOver(job);
    const path = `jobs/${encodeURIComponent(id)}/log`;
    // A finished log read again from its end would be a 416: ask for its size first.
    if (!follow && offset > 0 && (await logSize(path).catch(() => offset + 1)) <= offset) return false;
    const headers: Record<string, string> = { Accept: "application/octet-stream" };
    if (offset > 0) headers["Range"] = `bytes=${offset}-`;
    try {
      const res = await request(`${path}${follow ? "?follow=true" : ""}`,
                                { headers, signal: abort.signal });
      logState.textContent = follow ? "Following the log while the job runs…" : "";
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (value) appendLog(value);
        }
      }
    } catch (err) {
      if (abort.signal.aborted) return false;
      // 416: nothing past what we have; anything else is retried below.
      if (!(err instanceof ApiError && err.status === 416)) {
        logState.textContent = `Log connection lost (${messageOf(err)}); retrying…`;
        await new Promise((r) => setTimeout(r, RETRY_MS));
        return true;
      }
    }
    if (!follow) return false;
    // The follow ended: the job is over (read the rest once more) or the connection dropped.
    job = await getJson<Job>(`jobs/${encodeURIComponent(id)}`);
    drawFacts();
    return true;
  }

  async function logSize(path: string): Promise<number> {
    const res = await request(path, { method: "HEAD", signal: abort.signal });
    return Number(res.headers.get("X-Log-Size") ?? "0");
  }

  async function followLog(): Promise<void> {
    const size = await logSize(`jobs/${encodeURIComponent(id)}/log`).catch(() => 0);
    if (size > LOG_TAIL_BYTES) {
      offset = size - LOG_TAIL_BYTES;
      log.appendChild(document.createTextNode(
          `[the first ${offset} bytes of this ${size}-byte log are not shown]\n`));
    }
    while (!abort.signal.aborted && (await readLog()));
    if (!abort.signal.aborted) logState.textContent = job ? `Log complete (job ${job.State}).` : "";
  }

  async function loadActions(): Promise<void> {
    if (!can("jobs", "actions")) {
      replaceChildren(actionsBox, el("p", { class: "muted" },
                                     "Your role may not see rendered actions."));
      return;
    }
    try {
      const actions = await getJson<JobAction[]>(`jobs/${encodeURIComponent(id)}/actions`);
      replaceChildren(actionsBox, actionList(actions));
    } catch (err) {
      replaceChildren(actionsBox, el("p", { class: "muted" },
                                     `No rendered actions: ${messageOf(err)}`));
    }
  }

  async function load(): Promise<void> {
    try {
      job = await getJson<Job>(`jobs/${encodeURIComponent(id)}`);
      machineName = job.Machine;
      drawFacts();
      getJson<Machine>(`machines/${encodeURIComponent(job.Machine)}`)
        .then((m) => { machineName = m.Name; drawFacts(); })
        .catch(() => undefined);
      void loadActions();
      await followLog();
    } catch (err) {
      if (!abort.signal.aborted) errors.textContent = messageOf(err);
    }
  }

  const unsubscribe = ctx.events.subscribe("jobs", (ev: DrpEvent) => {
    if (ev.Key !== id || !ev.Object) return;
    job = ev.Object as Job;
    drawFacts();
  });

  replaceChildren(root, title, errors, factsBox,
                  el("section", { "aria-labelledby": "log-h" }, el("h2", { id: "log-h" }, "Log"),
                     logState, log),
                  el("section", { "aria-labelledby": "actions-h" },
                     el("h2", { id: "actions-h" }, "Rendered actions"), actionsBox));
  void load();
  return () => {
    unsubscribe();
    abort.abort();
  };
}
