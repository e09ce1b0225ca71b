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
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";

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

class TestFailure extends Error {}

function check(condition, message) {
  if (!condition) throw new TestFailure(message);
}

function log(line) {
  process.stdout.write(`${line}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `probe` until it returns a truthy value; fails saying `what` (a string, or a function
// that says what was last seen).
async function eventually(what, probe, limitMs) {
  const end = Date.now() + limitMs;
  for (;;) {
    const result = await probe();
    if (result) return result;
    if (Date.now() > end) {
      const said = typeof what === "function" ? what() : what;
      throw new TestFailure(`${said}: not within ${limitMs / 1000} s`);
    }
    await sleep(250);
  }
}

// ---- processes: the fleet (and its droverd) and the agent, stopped by stopEverything() ----

const running = [];
let browser = null;

function startProcess(name, file, args, logPath, extra = {}) {
  const out = fs.openSync(logPath, "a");
  // Its own process group: a SIGKILL of the group also ends what it started (fleet: droverd).
  const child = spawn(file, args, { detached: true, stdio: ["ignore", extra.stdout ?? out, out],
                                    env: extra.env ?? process.env });
  fs.closeSync(out);
  const proc = { name, child, logPath, error: null };
  proc.exited = new Promise((resolve) => {
    child.on("exit", resolve);
    child.on("error", (err) => { // it never started: no "exit" comes
      proc.error = err;
      resolve();
    });
  });
  running.push(proc);
  return proc;
}

// SIGTERM (the clean end), then SIGKILL for the whole group after `graceMs`.
async function stopProcess(proc, graceMs) {
  if (proc.error || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill("SIGTERM");
  const ended = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (ended) return;
  log(`# ${proc.name} did not end ${graceMs / 1000} s after SIGTERM: SIGKILL`);
  try {
    process.kill(-proc.child.pid, "SIGKILL");
  } catch {
    // already gone
  }
  await proc.exited;
}

function tail(file, lines = 25) {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

// drover-fleet's --announce line: endpoint, admin login, droverd's data dir and pid.
async function startFleet(outDir) {
  const fleet = startProcess("drover-fleet", opt.fleet, [
    "--scenario", "boot-storm", "-n", String(FLEET_MACHINES), "-w", "4", "-d", "600",
    "--action-ms-min", "800", "--action-ms-max", "2500", "--reboot-ms", "2000",
    "--ceiling-seconds", "0", "--announce", "--keep-serving",
  ], path.join(outDir, "fleet.log"), { stdout: "pipe" });
  const lines = readline.createInterface({ input: fleet.child.stdout });
  const announced = new Promise((resolve) => {
    lines.on("line", (line) => {
      if (line.startsWith("{")) resolve(JSON.parse(line));
      fs.appendFileSync(fleet.logPath, `${line}\n`);
    });
  });
  const first = await Promise.race([announced, fleet.exited.then(() => null), sleep(60_000)]);
  const how = fleet.error ? `did not start: ${fleet.error.message}`
            : fleet.child.exitCode === null ? "hangs" : `exited ${fleet.child.exitCode}`;
  check(first, `drover-fleet announced nothing (it ${how}):\n${tail(fleet.logPath)}`);
  return first;
}

// ---- the API, as any client: a token from a Basic login, JSON in and out ----

function basic(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

async function api(endpoint, method, route, { auth, body, expect = [200, 201] } = {}) {
  const res = await fetch(`${endpoint}/api/v3/${route}`, {
    method,
    headers: { Authorization: auth, Accept: "application/json",
               ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  check([expect].flat().includes(res.status),
        `${method} /api/v3/${route}: HTTP ${res.status}, wanted ${expect}: ${text}`);
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function tokenOf(endpoint, user, password) {
  const r = await api(endpoint, "GET", `users/${user}/token?ttl=3600`,
                      { auth: basic(user, password) });
  return `Bearer ${r.json.Token}`;
}

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

// ---- the browser ----

function loadPlaywright() {
  const require = createRequire(path.join(path.resolve(opt["node-dir"]), "package.json"));
  try {
    return require("playwright-core");
  } catch (err) {
    throw new TestFailure(`playwright-core not found under ${opt["node-dir"]}/node_modules ` +
                          `(the ui_npm_ci test runs npm ci there): ${err.message}`);
  }
}

async function shot(page, outDir, name) {
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
  log(`# screenshot ${name}.png`);
}

async function logIn(page, user, password) {
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

async function text(locator) {
  return (await locator.count()) ? (await locator.first().textContent()) ?? "" : "";
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
// PARAM_SOURCES says, and each value shown equal to droverd's own resolution (aggregate=true).
async function checkParamSources(page, endpoint, admin, machine) {
  const server = (await api(endpoint, "GET", `machines/${machine.Uuid}/params?aggregate=true`,
                            { auth: admin })).json;
  const table = page.getByTestId("params");
  await table.waitFor();
  for (const [name, want] of Object.entries(PARAM_SOURCES)) {
    const row = table.locator(`[data-param="${name}"]`);
    check((await row.count()) === 1, `the params table has no row for ${name}`);
    const cells = await row.locator("td").allTextContents();
    check(cells[1] === want.source && cells[2] === want.shadowed,
          `${name}: shown from "${cells[1]}" over "${cells[2]}", want "${want.source}" over ` +
          `"${want.shadowed}"`);
    check(cells[0] === JSON.stringify(server[name]),
          `${name}: the dashboard shows ${cells[0]}, droverd resolves ${JSON.stringify(server[name])}`);
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

let stepName = "start";
async function step(name, fn) {
  stepName = name;
  const t0 = Date.now();
  const result = await fn();
  log(`ok - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

async function main() {
  for (const o of ["fleet", "drover", "node-dir", "screenshots"])
    check(opt[o], `--${o} is required`);
  check(fs.existsSync(opt.chromium), `no browser at ${opt.chromium}: the browser tests need ` +
        "Debian's chromium (packaging/install-deps.sh installs it)");
  const { chromium } = loadPlaywright();
  const outDir = path.resolve(opt.screenshots);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "drover-ui-test-"));
  let page = null;
  const pageErrors = [];
  try {
    stepName = "drover-fleet starts and announces droverd";
    const announce = await startFleet(outDir);
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

    stepName = "chromium starts";
    browser = await chromium.launch({ executablePath: opt.chromium, headless: true });
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

// The browser, then the agent (while droverd still takes its last words), then the fleet.
async function stopEverything() {
  await browser?.close().catch(() => undefined);
  browser = null;
  for (const p of [...running].reverse()) await stopProcess(p, 20_000);
}

function report(err) {
  log(`not ok - ${stepName}`);
  log(err instanceof TestFailure ? err.message : err?.stack ?? String(err));
  for (const p of running) log(`--- ${p.name}: last lines of ${p.logPath}\n${tail(p.logPath)}`);
}

let finished = false;
const limit = setTimeout(() => {
  if (finished) return;
  report(new TestFailure(`the whole test took longer than ${TEST_LIMIT_MS / 1000} s`));
  stopEverything().finally(() => process.exit(1));
}, TEST_LIMIT_MS);
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => {
    log(`not ok - ${sig} during: ${stepName}`);
    stopEverything().finally(() => process.exit(1));
  });

main().then(
  () => {
    finished = true;
    clearTimeout(limit);
    process.exit(0);
  },
  (err) => {
    finished = true;
    clearTimeout(limit);
    report(err);
    process.exit(1);
  });
