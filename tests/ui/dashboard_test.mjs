// The web dashboard in a real browser (issue 11): Debian's chromium driven by playwright-core
// against a real droverd with a simulated fleet running (drover-fleet), plus one machine whose
// task fails, run by a real `drover agent`. Logs in, watches the fleet reach done, reads the
// failed job's log, pauses and runs a machine, and checks that a readonly user can change
// nothing. Every step asserts; a screenshot of each view goes to --screenshots. Exits 0 only
// when every step passed; fleet, agent and browser are stopped whatever happens.
//
// node dashboard_test.mjs --fleet <drover-fleet> --drover <drover> --node-dir <dir holding
//      node_modules/playwright-core> --screenshots <dir> [--chromium /usr/bin/chromium]
// Plain node (18 or later), no test framework.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { api, check, eventually, launchChromium, log, logIn, runScript, setStep, shot, startFleet,
         startProcess, step, stopEverything, text, tokenOf } from "./harness.mjs";

const TEST_LIMIT_MS = 240_000; // ctest's TIMEOUT is 300 s: time left to clean up and report
const FLEET_MACHINES = 20;
const FAIL_MESSAGE = "ui-test: disk /dev/sdz not found";
// The failing machine's second task, never run: the machine view previews its rendering.
const LATER_TEMPLATE = 'echo "later on {{.Machine.Name}} with {{.Param "ui/disk"}}"';
const LATER_RENDERED = 'echo "later on ui-failing with /dev/sdz"';
const VIEWER = { name: "viewer", password: "viewer-password-11" };

const { values: opt } = parseArgs({
  options: {
    fleet: { type: "string" },
    drover: { type: "string" },
    "node-dir": { type: "string" },
    screenshots: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});

// Where the failing machine's params come from, one source per level of spec 8, and one param
// (ui/disk) set at four levels: the machine's own value must win over the others.
const PARAM_SOURCES = {
  "ui/disk": { source: "machine", shadowed: "profile ui-profile, global, default" },
  "ui/profile-only": { source: "profile ui-profile", shadowed: "" },
  "ui/stage-only": { source: "stage ui-fail-stage", shadowed: "" },
  "ui/global-only": { source: "global", shadowed: "" },
  "ui/default-only": { source: "default", shadowed: "" },
};

async function setUpParamSources(endpoint, admin) {
  for (const [name, value] of [["ui/disk", "/dev/sda"], ["ui/default-only", "from-default"]])
    await api(endpoint, "POST", "params", { auth: admin, body: {
      Name: name, Schema: { type: "string", default: value } } });
  await api(endpoint, "POST", "profiles", { auth: admin, body: {
    Name: "ui-profile", Params: { "ui/disk": "/dev/sdb", "ui/profile-only": "from-profile" } } });
  const global = (await api(endpoint, "GET", "profiles/global", { auth: admin })).json;
  global.Params = { ...global.Params, "ui/disk": "/dev/sdc", "ui/global-only": "from-global" };
  await api(endpoint, "PUT", "profiles/global", { auth: admin, body: global });
}

// A machine whose one task prints FAIL_MESSAGE and exits 1, run by a real agent.
async function startFailingMachine(endpoint, admin, workDir, outDir) {
  const script = `#!/bin/bash\necho "${FAIL_MESSAGE}"\nexit 1\n`;
  await api(endpoint, "POST", "tasks", { auth: admin, body: {
    Name: "ui-fail", Templates: [{ Name: "run", Contents: script }] } });
  await api(endpoint, "POST", "tasks", { auth: admin, body: {
    Name: "ui-later", Templates: [{ Name: "run", Contents: LATER_TEMPLATE }] } });
  await api(endpoint, "POST", "stages", { auth: admin, body: {
    Name: "ui-fail-stage", Tasks: ["ui-fail", "ui-later"], Params: { "ui/stage-only": "from-stage" } } });
  await setUpParamSources(endpoint, admin);
  const m = (await api(endpoint, "POST", "machines", { auth: admin, body: {
    Name: "ui-failing", Stage: "ui-fail-stage", Profiles: ["ui-profile"],
    Params: { "ui/disk": "/dev/sdz" } } })).json;
  const token = (await api(endpoint, "GET", `machines/${m.Uuid}/token?ttl=3600`,
                           { auth: admin })).json.Token;
  startProcess("drover agent", opt.drover, [
    "agent", "-E", endpoint, "--machine", m.Uuid, "--skip-power",
    "--state-dir", path.join(workDir, "agent"),
  ], path.join(outDir, "agent.log"), { env: { PATH: process.env.PATH, RS_TOKEN: token } });
  return m;
}

async function currentJobState(endpoint, admin, uuid) {
  const m = (await api(endpoint, "GET", `machines/${uuid}`, { auth: admin })).json;
  if (!m.CurrentJob) return "";
  return (await api(endpoint, "GET", `jobs/${m.CurrentJob}`, { auth: admin })).json.State;
}

// The counts bar's number for one job state (-1 while it is not drawn).
async function stateCount(page, state) {
  const t = await text(page.locator(`[data-count-state="${state}"] strong`));
  return t === "" ? -1 : Number(t);
}

// Every fleet machine's row shows its workflow done: current job finished, all tasks done.
async function fleetRowsDone(page) {
  const rows = page.locator('[role="row"][data-machine^="fleet-m"]');
  const n = await rows.count();
  let done = 0;
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    const label = (await row.locator(".progress").getAttribute("aria-label")) ?? "";
    const m = /^(\d+) of (\d+) tasks done(, \d+ reboots? in the list)?$/.exec(label);
    const finished = (await row.locator('[data-state="finished"]').count()) === 1;
    if (m && m[1] === m[2] && finished) done++;
  }
  return { rows: n, done };
}

async function openMachineFromFleet(page, name) {
  await page.getByRole("link", { name: "Fleet", exact: true }).click();
  await page.locator(`[data-machine="${name}"] a`).first().click();
  await page.getByRole("heading", { name: `Machine ${name}` }).waitFor();
  await page.locator(".timeline li").first().waitFor();
}

// The machine view's params table: each param's source and the sources it overrides as
// PARAM_SOURCES says, and each value shown equal to droverd's own resolution: the single-param
// GET with aggregate=true, which (unlike the whole map's) falls back to the default (spec 8).
async function checkParamSources(page, endpoint, admin, machine) {
  const table = page.getByTestId("params");
  await table.waitFor();
  for (const [name, want] of Object.entries(PARAM_SOURCES)) {
    const row = table.locator(`[data-param="${name}"]`);
    check((await row.count()) === 1, `the params table has no row for ${name}`);
    const cells = await row.locator("td").allTextContents();
    check(cells[1] === want.source && cells[2] === want.shadowed,
          `${name}: shown from "${cells[1]}" over "${cells[2]}", want "${want.source}" over ` +
          `"${want.shadowed}"`);
    const server = JSON.stringify((await api(
        endpoint, "GET", `machines/${machine.Uuid}/params/${name}?aggregate=true`, { auth: admin })).json);
    check(cells[0] === server, `${name}: the dashboard shows ${cells[0]}, droverd resolves ${server}`);
  }
}

// Preview of a task not run yet: its rendered actions, still shown after a machine event has
// redrawn the timeline (the event here is a param change, which also re-reads the params).
async function checkPreviewSurvivesRedraw(page, endpoint, admin, machine) {
  await page.getByRole("button", { name: "Preview the rendered actions of ui-later" }).click();
  const rendered = page.locator('.timeline li[data-entry="ui-later"] [data-action="run"] pre');
  await eventually("the preview shows ui-later rendered", async () =>
    (await text(rendered)) === LATER_RENDERED, 20_000);
  await api(endpoint, "PATCH", `machines/${machine.Uuid}`, { auth: admin, body: [
    { op: "add", path: "/Params/ui~1redraw", value: true }] });
  await page.locator('[data-param="ui/redraw"]').waitFor();
  check((await text(rendered)) === LATER_RENDERED,
        `the preview is gone after the timeline redrew: "${await text(rendered)}"`);
}

async function runSteps(ctx) {
  const { page, endpoint, admin, outDir, failing, announce } = ctx;
  const ui = `${endpoint}/ui/`;

  await step("the login view; admin logs in", async () => {
    const index = await fetch(ui);
    check(index.status === 200, `droverd does not serve the dashboard: GET /ui/ is HTTP ` +
          `${index.status}: ${(await index.text()).slice(0, 300)}`);
    await page.goto(ui);
    await page.getByRole("heading", { name: "Log in to drover" }).waitFor();
    await shot(page, outDir, "login");
    await logIn(page, announce.user, announce.password);
    await page.getByRole("heading", { name: "Fleet", exact: true }).waitFor();
    check((await text(page.locator(".who"))).includes("admin (admin)"),
          `the header names someone else: ${await text(page.locator(".who"))}`);
    await eventually("the event stream goes live", async () =>
      (await page.getByTestId("stream-status").getAttribute("data-status")) === "live", 20_000);
  });

  await step(`the fleet view: ${FLEET_MACHINES} machines progress to done`, async () => {
    await eventually("the fleet rows appear", async () =>
      (await fleetRowsDone(page)).rows === FLEET_MACHINES, 20_000);
    await shot(page, outDir, "fleet-progress");
    const seen = new Set();
    let last = "";
    await eventually(() => `every fleet machine done (last seen: ${last})`, async () => {
      const r = await fleetRowsDone(page);
      const finished = await stateCount(page, "finished");
      seen.add(r.done);
      last = `${r.done} of ${r.rows} rows done, ${finished} counted finished`;
      return r.done === FLEET_MACHINES && finished === FLEET_MACHINES;
    }, 150_000);
    log(`# machines done as the fleet view showed them: ${[...seen].sort((a, b) => a - b)}`);
    check((await text(page.getByTestId("fleet-shown"))) === `${FLEET_MACHINES + 1} machines shown`,
          `fleet-shown says "${await text(page.getByTestId("fleet-shown"))}"`);
    await eventually("the failing machine counted as failed", async () =>
      (await stateCount(page, "failed")) === 1, 20_000);
    await shot(page, outDir, "fleet");
  });

  await step("the failing machine's view, its params' sources and its failed job's log", async () => {
    await openMachineFromFleet(page, failing.Name);
    const entry = page.locator('.timeline li[data-entry="ui-fail"]');
    await entry.locator('[data-state="failed"]').waitFor();
    await shot(page, outDir, "machine");
    await checkParamSources(page, endpoint, admin, failing);
    await checkPreviewSurvivesRedraw(page, endpoint, admin, failing);
    await entry.locator("a.tl-job").click();
    await page.getByRole("heading", { name: `Job ui-fail on ${failing.Name}` }).waitFor();
    await eventually("the log view says the log is complete", async () =>
      (await text(page.getByTestId("log-status"))) === "Log complete (job failed).", 20_000);
    const logText = await text(page.getByTestId("job-log"));
    check(logText.includes(FAIL_MESSAGE), `the job log lacks "${FAIL_MESSAGE}":\n${logText}`);
    await shot(page, outDir, "job-log");
  });

  const target = announce.machines[3];
  await step(`pause ${target}, then run it again; the API agrees each time`, async () => {
    const uuid = (await api(endpoint, "GET", `machines?Name=${target}`, { auth: admin })).json[0]
      .Uuid;
    const runnable = async () =>
      (await api(endpoint, "GET", `machines/${uuid}`, { auth: admin })).json.Runnable;
    await openMachineFromFleet(page, target);
    check(await runnable(), `${target} is not runnable before the test pauses it`);
    await page.getByRole("button", { name: "Pause" }).click();
    await page.locator(".status").filter({ hasText: `${target}: paused.` }).waitFor();
    check((await runnable()) === false, `the API still says ${target} is runnable after Pause`);
    await page.locator("dd").filter({ hasText: "no (paused)" }).waitFor();
    await shot(page, outDir, "machine-paused");
    await page.getByRole("button", { name: "Run" }).click();
    await page.locator(".status").filter({ hasText: `${target}: run.` }).waitFor();
    check((await runnable()) === true, `the API says ${target} is paused after Run`);
  });

  await step("the workflow view", async () => {
    await page.getByRole("link", { name: "Workflows", exact: true }).click();
    await page.getByRole("link", { name: announce.workflow, exact: true }).click();
    for (const stage of ["fleet-discover", "fleet-install", "fleet-finish"])
      await page.locator(`[data-stage="${stage}"]`).waitFor();
    const finish = page.locator('[data-stage="fleet-finish"] [data-testid="stage-count"]');
    await eventually("the last stage counts the whole fleet", async () =>
      (await text(finish)).includes(String(FLEET_MACHINES)), 20_000);
    await shot(page, outDir, "workflow");
  });

  await step("log out; the readonly user sees everything and can change nothing", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in to drover" }).waitFor();
    await logIn(page, VIEWER.name, VIEWER.password);
    check((await text(page.locator(".who"))).includes("(read-only)"),
          `the header says ${await text(page.locator(".who"))}`);
    // The login view keeps the route it interrupted (the workflow): back to the fleet.
    await page.getByRole("link", { name: "Fleet", exact: true }).click();
    await eventually("the fleet view lists the machines", async () =>
      (await fleetRowsDone(page)).rows === FLEET_MACHINES, 20_000);
    await openMachineFromFleet(page, target);
    const buttons = await page.locator("#view button").allTextContents();
    check(buttons.length === 0, `the readonly user's machine view has buttons: ${buttons}`);
    await shot(page, outDir, "readonly");
    const viewer = await tokenOf(endpoint, VIEWER.name, VIEWER.password);
    const uuid = (await api(endpoint, "GET", `machines?Name=${target}`, { auth: viewer })).json[0]
      .Uuid;
    await api(endpoint, "PATCH", `machines/${uuid}`, {
      auth: viewer, expect: 403, body: [{ op: "replace", path: "/Runnable", value: false }] });
    check((await api(endpoint, "GET", `machines/${uuid}`, { auth: admin })).json.Runnable,
          "the readonly user's refused PATCH changed the machine");
  });
}

// A boot storm of FLEET_MACHINES machines with actions of 0.8-2.5 s: slow enough for the
// browser to see them move, quick enough to finish within the test.
function fleetArgs() {
  return ["--scenario", "boot-storm", "-n", String(FLEET_MACHINES), "-w", "4", "-d", "600",
          "--action-ms-min", "800", "--action-ms-max", "2500", "--reboot-ms", "2000",
          "--ceiling-seconds", "0", "--announce", "--keep-serving"];
}

async function main() {
  for (const o of ["fleet", "drover", "node-dir", "screenshots"])
    check(opt[o], `--${o} is required`);
  const outDir = path.resolve(opt.screenshots);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "drover-ui-test-"));
  let page = null;
  const pageErrors = [];
  try {
    setStep("drover-fleet starts and announces droverd");
    const announce = await startFleet(opt.fleet, fleetArgs(), outDir);
    const endpoint = announce.endpoint;
    log(`# droverd ${endpoint} (pid ${announce.droverd_pid}), data in ${announce.data_dir}`);
    const admin = await tokenOf(endpoint, announce.user, announce.password);

    const failing = await step("a readonly user, and a machine whose job fails under a real agent",
                               async () => {
      await api(endpoint, "POST", "users", { auth: admin, body: {
        Name: VIEWER.name, Roles: ["readonly"], Password: VIEWER.password } });
      const m = await startFailingMachine(endpoint, admin, workDir, outDir);
      await eventually("the agent's job fails", async () =>
        (await currentJobState(endpoint, admin, m.Uuid)) === "failed", 60_000);
      return m;
    });

    setStep("chromium starts");
    const browser = await launchChromium(opt["node-dir"], opt.chromium);
    const context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await runSteps({ page, endpoint, admin, outDir, announce, failing });
    check(pageErrors.length === 0, `uncaught errors in the page: ${pageErrors.join("; ")}`);
    log("ok - dashboard browser test passed");
  } catch (err) {
    if (page) await shot(page, outDir, "failure").catch(() => undefined);
    throw err;
  } finally {
    await stopEverything();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

runScript(main, TEST_LIMIT_MS);
