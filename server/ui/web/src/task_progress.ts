// A machine's task list as a progress bar (spec 3.1, 3.2): one segment per entry, done /
// current / remaining from CurrentTask and the current job's state; `bootenv:` entries (the
// machine reboots) and `stage:` entries are narrow markers between the task segments.

import { el } from "./dom.js";
import type { Job, Machine } from "./model.js";

export type EntryKind = "task" | "reboot" | "stage" | "other";
export type EntryStatus = "done" | "current" | "todo";

export function entryKind(entry: string): EntryKind {
  if (entry.startsWith("bootenv:")) return "reboot";
  if (entry.startsWith("stage:")) return "stage";
  return entry.includes(":") ? "other" : "task";
}

// CurrentTask is the entry running or last run: it is done once its job finished.
export function entryStatus(m: Machine, index: number, job: Job | undefined): EntryStatus {
  if (index < m.CurrentTask) return "done";
  if (index > m.CurrentTask) return "todo";
  return job && job.State === "finished" && job.CurrentIndex === index ? "done" : "current";
}

export interface Progress {
  done: number;    // tasks (not markers) done
  tasks: number;   // tasks in the list
  reboots: number; // bootenv: entries
  current: string; // the current entry, "" when none
}

export function progressOf(m: Machine, job: Job | undefined): Progress {
  const p: Progress = { done: 0, tasks: 0, reboots: 0, current: "" };
  m.Tasks.forEach((entry, i) => {
    const kind = entryKind(entry);
    const status = entryStatus(m, i, job);
    if (kind === "reboot") p.reboots++;
    if (kind === "task") {
      p.tasks++;
      if (status === "done") p.done++;
    }
    if (status === "current") p.current = entry;
  });
  return p;
}

export function progressBar(m: Machine, job: Job | undefined): HTMLElement {
  if (m.Tasks.length === 0) return el("span", { class: "muted" }, "no tasks");
  const p = progressOf(m, job);
  const jobState = job && job.CurrentIndex === m.CurrentTask ? job.State : "";
  const summary = `${p.done} of ${p.tasks} tasks done` +
    (p.current ? `, current ${p.current}${jobState ? ` (${jobState})` : ""}` : "") +
    (p.reboots ? `, ${p.reboots} reboot${p.reboots > 1 ? "s" : ""} in the list` : "");
  const bar = el("span", { class: "progress", role: "img", "aria-label": summary, title: summary });
  m.Tasks.forEach((entry, i) => {
    const kind = entryKind(entry);
    const status = entryStatus(m, i, job);
    const seg = el("span", { class: `seg seg-${kind} seg-${status}` });
    if (status === "current" && jobState) seg.classList.add(`seg-job-${jobState}`);
    if (kind !== "task") seg.title = kind === "reboot" ? `reboot: ${entry}` : entry;
    bar.appendChild(seg);
  });
  return el("span", { class: "progress-wrap" }, bar,
            el("span", { class: "progress-text", "aria-hidden": "true" }, `${p.done}/${p.tasks}`));
}
