// One machine: its state, the task list as a timeline of jobs (state, exit state, duration,
// attempts; a dry-run render for entries not run yet), its params with the source of each value,
// and (for users allowed to change machines) the run / pause / workflow / stage controls.

import { getJson, list, messageOf } from "./api.js";
import { between, button, el, replaceChildren, since, stateBadge } from "./dom.js";
import { actionList } from "./job_view.js";
import { machineControls } from "./machine_controls.js";
import type { DrpEvent, Job, JobAction, Machine, ParamDef, Profile, Stage, Workflow } from "./model.js";
import { resolveParams, showValue } from "./param_sources.js";
import { jobHref, workflowHref } from "./router.js";
import { can, canChangeMachines } from "./session.js";
import { entryKind, entryStatus, progressBar } from "./task_progress.js";
import { throttle } from "./view.js";
import type { Cleanup, ViewContext } from "./view.js";

interface RenderedTask {
  Task: string;
  Actions?: JobAction[];
  Errors?: string[];
}

// The jobs this machine ran most recently (enough for any task list; older ones are history).
const JOB_HISTORY = 500;

function facts(m: Machine, job: Job | undefined): HTMLElement {
  const row = (k: string, v: Node | string): HTMLElement[] => [el("dt", {}, k), el("dd", {}, v)];
  return el("dl", { class: "facts" },
            ...row("Uuid", m.Uuid),
            ...row("Workflow", m.Workflow ? el("a", { href: workflowHref(m.Workflow) }, m.Workflow)
                                          : "—"),
            ...row("Stage", m.Stage),
            ...row("BootEnv", m.BootEnv),
            ...row("Runnable", m.Runnable ? "yes" : "no (paused)"),
            ...row("Current job", job ? el("a", { href: jobHref(job.Uuid) }, stateBadge(job.State),
                                           ` ${job.Task}, ${since(job.StartTime)} ago`) : "none"),
            ...row("Progress", progressBar(m, job)),
            ...row("Locked", m.Locked ? "yes" : "no"),
            ...(m.Context ? row("Context", m.Context) : []),
            ...(m.Errors?.length ? row("Errors", m.Errors.join("; ")) : []));
}

// A timeline entry's Preview (button and rendered actions) by "<index>:<task>", kept across
// redraws so a preview the user opened survives the machine's and its jobs' events.
type Previews = Map<string, HTMLElement>;

function previewOf(m: Machine, i: number, entry: string, previews: Previews): HTMLElement {
  const key = `${i}:${entry}`;
  let box = previews.get(key);
  if (!box) {
    const rendered = el("div", { class: "preview" });
    box = el("div", {},
             button(`Preview ${entry}`, () => void renderTask(m.Uuid, entry, rendered),
                    { class: "small", "aria-label": `Preview the rendered actions of ${entry}` }),
             rendered);
    previews.set(key, box);
  }
  return box;
}

function timeline(m: Machine, jobs: Job[], current: Job | undefined,
                  previews: Previews): HTMLElement {
  const items = m.Tasks.map((entry, i) => {
    const kind = entryKind(entry);
    const status = entryStatus(m, i, current);
    const runs = jobs.filter((j) => j.CurrentIndex === i && j.Task === entry);
    const last = runs[runs.length - 1];
    const li = el("li", { class: `tl tl-${kind} tl-${status}`, "data-entry": entry,
                          "data-status": status },
                  el("span", { class: "tl-index" }, String(i)),
                  el("span", { class: "tl-entry" }, kind === "reboot" ? `⟳ ${entry}` : entry,
                     kind === "reboot" ? el("span", { class: "muted" }, " (reboot)") : ""));
    if (last) {
      li.append(el("a", { href: jobHref(last.Uuid), class: "tl-job" }, stateBadge(last.State),
                   last.ExitState ? ` ${last.ExitState}` : ""),
                el("span", { class: "tl-dur" },
                   between(last.StartTime, last.EndTime) || `${since(last.StartTime)} so far`),
                el("span", { class: "tl-tries" },
                   runs.length > 1 ? `${runs.length} attempts` : ""));
    } else if (kind === "task" && status === "todo" && can("machines", "actions")) {
      li.append(previewOf(m, i, entry, previews));
    }
    return li;
  });
  return el("ol", { class: "timeline", "aria-label": "Task list" }, ...items);
}

async function renderTask(uuid: string, task: string, box: HTMLElement): Promise<void> {
  replaceChildren(box, el("p", { class: "muted" }, "Rendering…"));
  try {
    const r = await getJson<{ Tasks: RenderedTask[] }>(
        `machines/${encodeURIComponent(uuid)}/render?task=${encodeURIComponent(task)}`);
    const t = r.Tasks[0];
    if (t?.Errors?.length) replaceChildren(box, el("p", { class: "error" }, t.Errors.join("; ")));
    else replaceChildren(box, actionList(t?.Actions ?? []));
  } catch (err) {
    replaceChildren(box, el("p", { class: "error" }, messageOf(err)));
  }
}

function paramsTable(m: Machine, stage: Stage | null, profiles: Profile[],
                     defs: ParamDef[]): HTMLElement {
  const resolved = resolveParams(m, stage, new Map(profiles.map((p) => [p.Name, p])),
                                 new Map(defs.map((d) => [d.Name, d])));
  if (resolved.length === 0) return el("p", { class: "muted" }, "No params.");
  return el("table", { class: "params", "data-testid": "params" },
            el("caption", { class: "sr-only" }, "Params and where each value comes from"),
            el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Param"),
                               el("th", { scope: "col" }, "Value"),
                               el("th", { scope: "col" }, "From"),
                               el("th", { scope: "col" }, "Also set by"))),
            el("tbody", {}, ...resolved.map((p) =>
                el("tr", { "data-param": p.name },
                   el("th", { scope: "row" }, p.name),
                   el("td", {}, el("code", {}, showValue(p, p.winner.value))),
                   el("td", { "data-source": p.winner.source }, p.winner.source),
                   el("td", { class: "muted" }, p.shadowed.map((s) => s.source).join(", "))))));
}

export function machineView(root: HTMLElement, id: string, ctx: ViewContext): Cleanup {
  const title = el("h1", {}, "Machine");
  const errors = el("p", { class: "error", role: "alert" });
  const factsBox = el("div", {});
  const controlsBox = el("div", {});
  const timelineBox = el("div", {});
  const paramsBox = el("div", {});
  let machine: Machine | null = null;
  let jobs: Job[] = [];
  let choices: { workflows: string[]; stages: string[] } | null = null;
  let controlsKey = "";
  const previews: Previews = new Map();

  const current = (): Job | undefined =>
    machine ? jobs.find((j) => j.Uuid === machine?.CurrentJob) : undefined;

  function drawFacts(): void {
    if (machine) replaceChildren(factsBox, facts(machine, current()));
  }

  function draw(): void {
    if (!machine) return;
    title.textContent = `Machine ${machine.Name}`;
    drawFacts();
    replaceChildren(timelineBox, timeline(machine, jobs, current(), previews));
    // Controls are redrawn only when what they show changed, so a half-made choice survives.
    const key = `${machine.Runnable}|${machine.Workflow}|${machine.Stage}`;
    if (choices && canChangeMachines() && key !== controlsKey) {
      controlsKey = key;
      replaceChildren(controlsBox, machineControls({ machine, ...choices,
                                                     announce: ctx.announce }));
    }
  }

  async function loadParams(): Promise<void> {
    if (!machine) return;
    try {
      const [stage, profiles, defs] = await Promise.all([
        getJson<Stage>(`stages/${encodeURIComponent(machine.Stage)}`).catch(() => null),
        getJson<Profile[]>("profiles"), getJson<ParamDef[]>("params")]);
      replaceChildren(paramsBox, paramsTable(machine, stage, profiles, defs));
    } catch (err) {
      replaceChildren(paramsBox, el("p", { class: "error" }, messageOf(err)));
    }
  }

  async function loadJobs(): Promise<void> {
    if (!machine) return;
    const q = new URLSearchParams({ Machine: machine.Uuid, sort: "StartTime", reverse: "true",
                                    limit: String(JOB_HISTORY) });
    jobs = (await list<Job>("jobs", q)).items.reverse();
  }

  async function load(): Promise<void> {
    try {
      machine = await getJson<Machine>(`machines/${encodeURIComponent(id)}`);
      await loadJobs();
      if (canChangeMachines()) {
        const [wfs, stages] = await Promise.all([getJson<Workflow[]>("workflows?sort=Name"),
                                                 getJson<Stage[]>("stages?sort=Name")]);
        choices = { workflows: wfs.map((w) => w.Name), stages: stages.map((s) => s.Name) };
      }
      draw();
      await loadParams();
    } catch (err) {
      errors.textContent = messageOf(err);
    }
  }

  const reloadJobs = throttle(() => void loadJobs().then(draw).catch(() => undefined), 1000);
  const reloadParams = throttle(() => void loadParams(), 2000);
  const unsubs = [
    ctx.events.subscribe("machines", (ev: DrpEvent) => {
      if (!machine || ev.Key !== machine.Uuid || !ev.Object) return;
      const before = machine;
      machine = ev.Object as Machine;
      draw();
      if (JSON.stringify(before.Params) !== JSON.stringify(machine.Params) ||
          before.Stage !== machine.Stage) reloadParams();
    }),
    ctx.events.subscribe("jobs", (ev: DrpEvent) => {
      const j = ev.Object as Job | undefined;
      if (machine && j && j.Machine === machine.Uuid) reloadJobs();
    }),
    ctx.events.onReset(() => void load()),
  ];
  const ticker = window.setInterval(drawFacts, 5000);

  replaceChildren(root, title, errors, factsBox, controlsBox,
                  el("section", { "aria-labelledby": "tl-h" },
                     el("h2", { id: "tl-h" }, "Task list"), timelineBox),
                  el("section", { "aria-labelledby": "params-h" },
                     el("h2", { id: "params-h" }, "Params"), paramsBox));
  void load();
  return () => {
    unsubs.forEach((u) => u());
    reloadJobs.cancel();
    reloadParams.cancel();
    window.clearInterval(ticker);
  };
}
