// Workflows: the list, and one workflow as a left-to-right chain of its stages (CSS boxes), each
// with its bootenv, tasks and the number of machines in it (HEAD counts), and the reboots
// between them: a stage whose bootenv differs from the one before, or a `bootenv:` task entry.

import { count, getJson, messageOf } from "./api.js";
import { el, replaceChildren } from "./dom.js";
import type { Stage, Workflow } from "./model.js";
import { fleetHref, workflowHref } from "./router.js";
import { entryKind } from "./task_progress.js";
import { throttle } from "./view.js";
import type { Cleanup, ViewContext } from "./view.js";

export function workflowsView(root: HTMLElement, ctx: ViewContext): Cleanup {
  const box = el("div", {}, el("p", { class: "muted" }, "Loading…"));
  replaceChildren(root, el("h1", {}, "Workflows"), box);
  const load = async (): Promise<void> => {
    try {
      const wfs = await getJson<Workflow[]>("workflows?sort=Name");
      const counts = await Promise.all(wfs.map((w) =>
          count("machines", new URLSearchParams({ Workflow: w.Name }))));
      if (wfs.length === 0) return replaceChildren(box, el("p", {}, "No workflows."));
      replaceChildren(box, el("ul", { class: "wf-list" }, ...wfs.map((w, i) =>
          el("li", {}, el("a", { href: workflowHref(w.Name) }, w.Name),
             ` — ${w.Stages.length} stages, ${counts[i] ?? 0} machines`,
             w.Description ? el("span", { class: "muted" }, `: ${w.Description}`) : ""))));
    } catch (err) {
      replaceChildren(box, el("p", { class: "error", role: "alert" }, messageOf(err)));
    }
  };
  void load();
  return ctx.events.subscribe("workflows", () => void load());
}

// The bootenv a machine is in after `stage`, given the one it entered with.
function bootEnvAfter(stage: Stage | undefined, entering: string): string {
  let env = stage?.BootEnv || entering;
  for (const t of stage?.Tasks ?? []) if (entryKind(t) === "reboot") env = t.slice(8);
  return env;
}

function stageBox(wf: string, name: string, stage: Stage | undefined, machines: number):
    HTMLElement {
  const tasks = stage?.Tasks ?? [];
  return el("li", { class: "stage-box", "data-stage": name },
            el("h3", {}, name),
            el("p", {}, "BootEnv: ", stage?.BootEnv || "(unchanged)"),
            el("p", { class: "muted" }, tasks.length ? tasks.join(" → ") : "no tasks"),
            el("a", { href: fleetHref({ workflow: wf, stage: name }), class: "stage-count",
                      "data-testid": "stage-count" },
               `${machines} machine${machines === 1 ? "" : "s"}`),
            stage && !stage.Available
              ? el("p", { class: "error" }, (stage.Errors ?? []).join("; ") || "not available")
              : "");
}

function arrow(from: string, to: string): HTMLElement {
  const reboot = from !== to && to !== "";
  return el("li", { class: reboot ? "arrow reboot" : "arrow", "aria-hidden": reboot ? false : "true" },
            reboot ? el("span", {}, `⟳ ${from ? "reboot" : "boot"} into ${to}`) : "→");
}

export function workflowView(root: HTMLElement, name: string, ctx: ViewContext): Cleanup {
  const chain = el("ol", { class: "chain", "aria-label": `Stages of ${name}` });
  const info = el("p", { class: "muted" });
  const errors = el("p", { class: "error", role: "alert" });
  replaceChildren(root, el("h1", {}, `Workflow ${name}`), info, errors, chain);
  let stages = new Map<string, Stage>();
  let wf: Workflow | null = null;

  async function load(): Promise<void> {
    try {
      wf = await getJson<Workflow>(`workflows/${encodeURIComponent(name)}`);
      const list = await Promise.all(wf.Stages.map((s) =>
          getJson<Stage>(`stages/${encodeURIComponent(s)}`).catch(() => undefined)));
      stages = new Map(list.filter((s): s is Stage => s !== undefined).map((s) => [s.Name, s]));
      await drawCounts();
    } catch (err) {
      errors.textContent = messageOf(err);
    }
  }

  async function drawCounts(): Promise<void> {
    if (!wf) return;
    const w = wf;
    const counts = await Promise.all(w.Stages.map((s) =>
        count("machines", new URLSearchParams({ Workflow: w.Name, Stage: s }))));
    const total = await count("machines", new URLSearchParams({ Workflow: w.Name }));
    info.textContent = `${w.Description ? `${w.Description}. ` : ""}${total} machines in this ` +
        `workflow.`;
    const items: HTMLElement[] = [];
    let env = "";
    w.Stages.forEach((s, i) => {
      const stage = stages.get(s);
      const enters = stage?.BootEnv || env;
      // The first stage's bootenv is a reboot too, for a machine not already in it.
      if (i > 0 || enters !== env) items.push(arrow(env, enters === env ? "" : enters));
      items.push(stageBox(w.Name, s, stage, counts[i] ?? 0));
      env = bootEnvAfter(stage, env);
    });
    replaceChildren(chain, ...items);
  }

  const recount = throttle(() => void drawCounts().catch(() => undefined), 2000);
  const unsubs = [ctx.events.subscribe("machines", recount),
                  ctx.events.subscribe("workflows", () => void load()),
                  ctx.events.subscribe("stages", () => void load())];
  void load();
  return () => {
    unsubs.forEach((u) => u());
    recount.cancel();
  };
}
