// What the dashboard's browser scripts share (dashboard_test.mjs, fleet_scale_bench.mjs): checks
// that fail with a message, the processes they start (drover-fleet with its droverd, agents),
// always stopped at the end, the API as any client, and the browser (Debian's chromium through
// playwright-core). A script hands its body to runScript(), which bounds its time, reports the
// step that failed with the last lines of every process's log, and stops everything.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";

export class TestFailure extends Error {}

export function check(condition, message) {
  if (!condition) throw new TestFailure(message);
}

export function log(line) {
  process.stdout.write(`${line}\n`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `probe` until it returns a truthy value; fails saying `what` (a string, or a function
// that says what was last seen).
export async function eventually(what, probe, limitMs) {
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

// ---- processes, stopped by stopEverything() ----

const running = [];
let browser = null;

export function startProcess(name, file, args, logPath, extra = {}) {
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

// Starts drover-fleet with `args` (which must include --announce and --keep-serving) and returns
// its --announce line: droverd's endpoint, the admin login, the machines, data dir and pid.
export async function startFleet(fleetPath, args, outDir) {
  const fleet = startProcess("drover-fleet", fleetPath, args, path.join(outDir, "fleet.log"),
                             { stdout: "pipe" });
  const lines = readline.createInterface({ input: fleet.child.stdout });
  const announced = new Promise((resolve) => {
    lines.on("line", (line) => {
      if (line.startsWith("{")) resolve(JSON.parse(line));
      fs.appendFileSync(fleet.logPath, `${line}\n`);
    });
  });
  const first = await Promise.race([announced, fleet.exited.then(() => null), sleep(120_000)]);
  const how = fleet.error ? `did not start: ${fleet.error.message}`
            : fleet.child.exitCode === null ? "hangs" : `exited ${fleet.child.exitCode}`;
  check(first, `drover-fleet announced nothing (it ${how}):\n${tail(fleet.logPath)}`);
  return first;
}

// ---- the API, as any client: a token from a Basic login, JSON in and out ----

function basic(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

export async function api(endpoint, method, route, { auth, body, expect = [200, 201] } = {}) {
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

export async function tokenOf(endpoint, user, password) {
  const r = await api(endpoint, "GET", `users/${user}/token?ttl=3600`,
                      { auth: basic(user, password) });
  return `Bearer ${r.json.Token}`;
}

// ---- the browser ----

// Debian's chromium, headless, through the playwright-core that npm ci put under `nodeDir`.
export async function launchChromium(nodeDir, executablePath) {
  check(fs.existsSync(executablePath), `no browser at ${executablePath}: the browser tests need ` +
        "Debian's chromium (packaging/install-deps.sh installs it)");
  const require = createRequire(path.join(path.resolve(nodeDir), "package.json"));
  let playwright;
  try {
    playwright = require("playwright-core");
  } catch (err) {
    throw new TestFailure(`playwright-core not found under ${nodeDir}/node_modules ` +
                          `(the ui_npm_ci test runs npm ci there): ${err.message}`);
  }
  browser = await playwright.chromium.launch({ executablePath, headless: true });
  return browser;
}

export async function shot(page, outDir, name) {
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
  log(`# screenshot ${name}.png`);
}

export async function logIn(page, user, password) {
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

export async function text(locator) {
  return (await locator.count()) ? (await locator.first().textContent()) ?? "" : "";
}

// ---- the script's frame: steps, a time limit, the report, the clean-up ----

let stepName = "start";

export function setStep(name) {
  stepName = name;
}

export async function step(name, fn) {
  stepName = name;
  const t0 = Date.now();
  const result = await fn();
  log(`ok - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

// The browser, then the agents (while droverd still takes their last words), then the fleet.
// Safe to call more than once: a script calls it before removing what the processes use.
export async function stopEverything() {
  await browser?.close().catch(() => undefined);
  browser = null;
  for (const p of [...running].reverse()) await stopProcess(p, 20_000);
}

function report(err) {
  log(`not ok - ${stepName}`);
  log(err instanceof TestFailure ? err.message : err?.stack ?? String(err));
  for (const p of running) log(`--- ${p.name}: last lines of ${p.logPath}\n${tail(p.logPath)}`);
}

// Runs `main`, then exits 0, or 1 with a report if it threw, took over `limitMs` or was signalled.
export function runScript(main, limitMs) {
  let finished = false;
  const limit = setTimeout(() => {
    if (finished) return;
    report(new TestFailure(`the whole script took longer than ${limitMs / 1000} s`));
    stopEverything().finally(() => process.exit(1));
  }, limitMs);
  for (const sig of ["SIGINT", "SIGTERM"])
    process.on(sig, () => {
      log(`not ok - ${sig} during: ${stepName}`);
      stopEverything().finally(() => process.exit(1));
    });
  main().then(
    async () => {
      finished = true;
      clearTimeout(limit);
      await stopEverything();
      process.exit(0);
    },
    async (err) => {
      finished = true;
      clearTimeout(limit);
      report(err);
      await stopEverything();
      process.exit(1);
    });
}
