// The fleet: every machine with its workflow, stage, task progress, Runnable, current job state
// and time in state; per-state counts; filters done by the server (list filters and paging) and
// a virtualised list, so 10,000 machines stay responsive; kept current by the event stream.

import { count, getJson, list, messageOf, reLiteral } from "./api.js";
import type { Page } from "./api.js";
import { el, labelled, replaceChildren, select, since, stateBadge } from "./dom.js";
import type { DrpEvent, Job, Machine, Stage, Workflow } from "./model.js";
import { JOB_STATES } from "./model.js";
import { fleetHref, machineHref, workflowHref } from "./router.js";
import { progressBar } from "./task_progress.js";
import { VirtualList } from "./virtual_list.js";
import type { PageSource } from "./virtual_list.js";
import { throttle } from "./view.js";
import type { Cleanup, ViewContext } from "./view.js";

interface Row {
  machine: Machine;
  job: Job | undefined;
}

interface Filters {
  name: string;
  workflow: string;
  stage: string;
  state: string;
}

// Machines matching a name before a state filter narrows their jobs: an In() list this long.
const NAME_MATCH_LIMIT = 500;

function machineFilters(f: Filters): URLSearchParams {
  const q = new URLSearchParams();
  if (f.workflow) q.set("Workflow", f.workflow);
  if (f.stage) q.set("Stage", f.stage);
  if (f.name) q.set("Name", `Re((?i)${reLiteral(f.name)})`);
  return q;
}

async function jobsByUuid(uuids: string[]): Promise<Map<string, Job>> {
  const wanted = uuids.filter((u) => u !== "");
  const byUuid = new Map<string, Job>();
  if (wanted.length === 0) return byUuid;
  const jobs = await list<Job>("jobs", new URLSearchParams({ Uuid: `In(${wanted.join(",")})` }));
  for (const j of jobs.items) byUuid.set(j.Uuid, j);
  return byUuid;
}

// Without a state filter: machines, sorted by name, then their current jobs.
function machineSource(f: Filters): PageSource<Row> {
  return {
    async fetch(offset, limit) {
      const q = machineFilters(f);
      q.set("sort", "Name");
      q.set("slim", "Params,Meta");
      q.set("offset", String(offset));
      q.set("limit", String(limit));
      const page: Page<Machine> = await list<Machine>("machines", q);
      const jobs = await jobsByUuid(page.items.map((m) => m.CurrentJob));
      return {
        items: page.items.map((m) => ({ machine: m, job: jobs.get(m.CurrentJob) })),
        filtered: page.filtered,
      };
    },
  };
}

// With a state filter the paging is over current jobs in that state (machines have no job
// state index); workflow and stage then filter the job's copy of them (set at job creation).
function jobStateSource(f: Filters, note: (text: string) => void): PageSource<Row> {
  return {
    async fetch(offset, limit) {
      const q = new URLSearchParams({ Current: "true", State: f.state, sort: "Machine" });
      if (f.workflow) q.set("Workflow", f.workflow);
      if (f.stage) q.set("Stage", f.stage);
      if (f.name) {
        const named = machineFilters(f);
        named.set("limit", String(NAME_MATCH_LIMIT));
        const machines = await list<Machine>("machines", named);
        note(machines.filtered > NAME_MATCH_LIMIT
          ? `Only the first ${NAME_MATCH_LIMIT} of the ${machines.filtered} machines matching ` +
            `the name are shown by job state; refine the name.` : "");
        if (machines.items.length === 0) return { items: [], filtered: 0 };
        q.set("Machine", `In(${machines.items.map((m) => m.Uuid).join(",")})`);
      }
      q.set("offset", String(offset));
      q.set("limit", String(limit));
      const jobs = await list<Job>("jobs", q);
      const ids = jobs.items.map((j) => j.Machine);
      const machines = ids.length === 0 ? [] : (await list<Machine>(
          "machines", new URLSearchParams({ Uuid: `In(${ids.join(",")})` }))).items;
      const byUuid = new Map(machines.map((m) => [m.Uuid, m]));
      const items: Row[] = [];
      for (const j of jobs.items) {
        const m = byUuid.get(j.Machine);
        if (m) items.push({ machine: m, job: j });
      }
      return { items, filtered: jobs.filtered };
    },
  };
}

// When the current job entered its state; the ticker updates the cells from data-since.
function stateSince(job: Job | undefined): string {
  if (!job) return "";
  return job.State === "finished" || job.State === "failed" ? job.EndTime : job.StartTime;
}

function cells(r: Row): HTMLElement[] {
  const m = r.machine;
  return [
    el("span", { class: "c-name" }, el("a", { href: machineHref(m.Uuid) }, m.Name)),
    el("span", { class: "c-wf" },
       m.Workflow ? el("a", { href: workflowHref(m.Workflow), tabindex: -1 }, m.Workflow) : "—"),
    el("span", { class: "c-stage" }, m.Stage),
    el("span", { class: "c-progress" }, progressBar(m, r.job)),
    el("span", { class: "c-runnable" }, m.Runnable ? "yes" : "paused"),
    el("span", { class: "c-state" }, stateBadge(r.job?.State ?? "")),
    el("span", { class: "c-time", "data-since": stateSince(r.job) }, since(stateSince(r.job))),
  ];
}

function readFilters(q: URLSearchParams): Filters {
  return { name: q.get("name") ?? "", workflow: q.get("workflow") ?? "",
           stage: q.get("stage") ?? "", state: q.get("state") ?? "" };
}

export function fleetView(root: HTMLElement, query: URLSearchParams, ctx: ViewContext): Cleanup {
  const filters = readFilters(query);
  const shown = el("p", { class: "muted", "aria-live": "polite", "data-testid": "fleet-shown" });
  const errors = el("p", { class: "error", role: "alert" });
  const notice = el("p", { class: "notice", role: "status" });
  const counts = el("ul", { class: "counts", "data-testid": "state-counts",
                            "aria-label": "Machine counts per state of the current job" });
  const vlist = new VirtualList<Row>({
    label: "Machines", rowHeight: 36, pageSize: 100,
    columns: ["Name", "Workflow", "Stage", "Tasks", "Runnable", "Job state", "In state"],
    renderCells: cells,
    key: (r) => r.machine.Uuid,
    rowAttrs: (r) => ({ "data-machine": r.machine.Name }),
    onTotal: (n) => {
      shown.textContent = n === null ? "Loading…" : `${n} machine${n === 1 ? "" : "s"} shown`;
    },
    onError: (msg) => { errors.textContent = msg; },
  });

  const nameInput = el("input", { type: "search", value: filters.name, autocomplete: "off" });
  const wfSelect = select("f-workflow", [["", "Any workflow"]], filters.workflow);
  const stageSelect = select("f-stage", [["", "Any stage"]], filters.stage);
  const stateSelect = select("f-state", [["", "Any job state"],
                                         ...JOB_STATES.map((s): [string, string] => [s, s])],
                             filters.state);
  const form = el("form", { class: "filters", role: "search", "aria-label": "Filter machines" },
                  el("div", {}, labelled("f-name", "Name contains", nameInput), nameInput),
                  el("div", {}, labelled("f-workflow", "Workflow", wfSelect), wfSelect),
                  el("div", {}, labelled("f-stage", "Stage", stageSelect), stageSelect),
                  el("div", {}, labelled("f-state", "Job state", stateSelect), stateSelect));
  form.addEventListener("submit", (ev) => ev.preventDefault());

  const apply = (): void => {
    errors.textContent = "";
    history.replaceState(null, "", fleetHref({ ...filters }));
    notice.textContent = "";
    vlist.setSource(filters.state ? jobStateSource(filters, (t) => { notice.textContent = t; })
                                  : machineSource(filters));
    renderCounts();
  };
  let nameTimer: number | undefined;
  nameInput.addEventListener("input", () => {
    window.clearTimeout(nameTimer);
    nameTimer = window.setTimeout(() => { filters.name = nameInput.value.trim(); apply(); }, 300);
  });
  for (const [sel, key] of [[wfSelect, "workflow"], [stageSelect, "stage"],
                            [stateSelect, "state"]] as const)
    sel.addEventListener("change", () => { filters[key] = sel.value; apply(); });

  // Fleet-wide counts (HEAD requests: counts only); each state is also a filter shortcut.
  async function renderCounts(): Promise<void> {
    try {
      const total = await count("machines", new URLSearchParams());
      const perState = await Promise.all(JOB_STATES.map((s) =>
          count("jobs", new URLSearchParams({ Current: "true", State: s }))));
      const items: HTMLElement[] =
          [el("li", {}, el("strong", {}, String(total)), " machines in the fleet")];
      JOB_STATES.forEach((s, i) => {
        const b = el("button", { type: "button", class: "count", "data-count-state": s,
                                 "aria-pressed": filters.state === s ? "true" : "false" },
                     stateBadge(s), " ", el("strong", {}, String(perState[i] ?? 0)));
        b.addEventListener("click", () => {
          filters.state = filters.state === s ? "" : s;
          stateSelect.value = filters.state;
          apply();
        });
        items.push(el("li", {}, b));
      });
      const withJob = perState.reduce((a, b) => a + b, 0);
      items.push(el("li", {}, stateBadge("none"), " ", el("strong", {}, String(total - withJob))));
      replaceChildren(counts, ...items);
    } catch (err) {
      errors.textContent = messageOf(err);
    }
  }

  async function fillOptions(): Promise<void> {
    try {
      const [wfs, stages] = await Promise.all([getJson<Workflow[]>("workflows?sort=Name"),
                                               getJson<Stage[]>("stages?sort=Name")]);
      for (const w of wfs) wfSelect.appendChild(el("option", { value: w.Name }, w.Name));
      for (const s of stages) stageSelect.appendChild(el("option", { value: s.Name }, s.Name));
      wfSelect.value = filters.workflow;
      stageSelect.value = filters.stage;
    } catch (err) {
      errors.textContent = messageOf(err);
    }
  }

  // Live: objects in view change in place; anything that may add, remove or move rows re-reads
  // the pages in view (throttled), never the whole list.
  const refresh = throttle(() => { vlist.refresh(); void renderCounts(); }, 2000);
  const onMachine = (ev: DrpEvent): void => {
    const m = ev.Object as Machine | undefined;
    if (ev.Action === "create" || ev.Action === "delete" || !m) return refresh();
    const old = ev.Original as Machine | undefined;
    vlist.update(ev.Key, (r) => ({ ...r, machine: m }));
    if (filters.workflow || filters.stage || filters.name)
      if (!old || old.Workflow !== m.Workflow || old.Stage !== m.Stage || old.Name !== m.Name)
        refresh();
  };
  const onJob = (ev: DrpEvent): void => {
    const j = ev.Object as Job | undefined;
    if (!j) return;
    if (j.Current) vlist.update(j.Machine, (r) => ({ ...r, job: j }));
    refresh();
  };
  const unsubs = [ctx.events.subscribe("machines", onMachine),
                  ctx.events.subscribe("jobs", onJob),
                  ctx.events.onReset(refresh)];
  const ticker = window.setInterval(() => {
    for (const cell of vlist.element.querySelectorAll<HTMLElement>(".c-time[data-since]"))
      cell.textContent = since(cell.dataset["since"]);
  }, 5000);

  replaceChildren(root, el("h1", {}, "Fleet"), counts, form, shown, notice, errors, vlist.element);
  void fillOptions();
  apply();
  return () => {
    unsubs.forEach((u) => u());
    refresh.cancel();
    window.clearInterval(ticker);
    window.clearTimeout(nameTimer);
    vlist.destroy();
  };
}
