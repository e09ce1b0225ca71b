// A machine's buttons: run and pause (Runnable true/false), set workflow, set stage. Each is a
// JSON Patch through the same API and authorisation as the CLI; a refusal shows the server's own
// error body. Read-only users never get here (machine_view asks session.canChangeMachines).

import { messageOf, patch } from "./api.js";
import type { PatchOp } from "./api.js";
import { button, el, labelled, select } from "./dom.js";
import type { Machine } from "./model.js";

export interface ControlOptions {
  machine: Machine;
  workflows: string[];
  stages: string[];
  announce(message: string): void;
}

export function machineControls(o: ControlOptions): HTMLElement {
  const m = o.machine;
  const error = el("div", { class: "error", role: "alert", "data-testid": "action-error" });
  const send = async (what: string, ops: PatchOp[]): Promise<void> => {
    error.textContent = "";
    try {
      await patch<Machine>("machines", m.Uuid, ops);
      o.announce(`${m.Name}: ${what}.`);
    } catch (err) {
      error.textContent = `${what} refused: ${messageOf(err)}`;
    }
  };
  const runnable = (value: boolean): PatchOp[] => [{ op: "replace", path: "/Runnable", value }];

  const run = button("Run", () => void send("run", runnable(true)), { disabled: m.Runnable });
  const pause = button("Pause", () => void send("paused", runnable(false)),
                       { disabled: !m.Runnable });

  const wf = select("set-workflow", [["", "(no workflow)"],
                                     ...o.workflows.map((w): [string, string] => [w, w])],
                    m.Workflow);
  const setWf = button("Set workflow", () =>
      void send(`workflow set to ${wf.value || "none"}`,
                [{ op: "replace", path: "/Workflow", value: wf.value }]));
  const stage = select("set-stage", o.stages.map((s): [string, string] => [s, s]), m.Stage);
  const setStage = button("Set stage", () =>
      void send(`stage set to ${stage.value}`,
                [{ op: "replace", path: "/Stage", value: stage.value }]));

  return el("section", { class: "controls", "aria-labelledby": "controls-h" },
            el("h2", { id: "controls-h" }, "Actions"),
            el("div", { class: "row" }, run, pause),
            el("div", { class: "row" }, labelled("set-workflow", "Workflow", wf), wf, setWf),
            el("div", { class: "row" }, labelled("set-stage", "Stage", stage), stage, setStage),
            error);
}
