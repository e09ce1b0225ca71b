// The dashboard with a large, busy fleet (issue 11: "stays responsive with 10,000 machines"): a
// benchmark, not a test. drover-fleet runs its steady scenario (no-op tasks, so droverd's events
// come as fast as it can make them) while Debian's chromium shows the fleet view. Measured: the
// time from "Log in" to the first rows, a scroll to a random place until its rows are filled, a
// name filter until the list shows its matches, and, over the whole window, the page's long tasks,
// the gaps between its frames, its timer lag, its JS heap and DOM size, and the events it took.
// Prints a table and, with --json, writes the figures. Exits 1 if the page stops taking events,
// shows an error, or a step does not complete.
//
// node fleet_scale_bench.mjs --fleet <drover-fleet> --node-dir <dir holding
//      node_modules/playwright-core> [-n 10000] [--seconds 30] [--workers 16] [--out <dir>]
//      [--json <file>] [--chromium /usr/bin/chromium]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { check, eventually, launchChromium, log, logIn, runScript, setStep, startFleet, step,
         stopEverything, text } from "./harness.mjs";

const { values: opt } = parseArgs({
  options: {
    fleet: { type: "string" },
    "node-dir": { type: "string" },
    n: { type: "string", short: "n", default: "10000" },
    seconds: { type: "string", default: "30" },
    workers: { type: "string", default: "16" },
    out: { type: "string" },
    json: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
const MACHINES = Number(opt.n);
const WINDOW_S = Number(opt.seconds);
const ROW_HEIGHT = 36; // the fleet list's rowHeight (fleet_view.ts) and .vrow's height

// In the page: long tasks (the browser's own >50 ms tasks), frame gaps (requestAnimationFrame)
// and timer lag (a 100 ms interval's lateness), kept until collectProbes() reads them.
function installProbes() {
  const p = { longTasks: [], frameGaps: [], timerLag: [], events: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) p.longTasks.push(e.duration);
  }).observe({ type: "longtask", buffered: false });
  let lastFrame = performance.now();
  const frame = (t) => {
    p.frameGaps.push(t - lastFrame);
    lastFrame = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  let due = performance.now() + 100;
  setInterval(() => {
    const now = performance.now();
    p.timerLag.push(Math.max(0, now - due));
    due = now + 100;
  }, 100);
  window.__droverBench = p;
}

function collectProbes() {
  const p = window.__droverBench;
  const out = { longTasks: p.longTasks, frameGaps: p.frameGaps, timerLag: p.timerLag,
                heapMB: (performance.memory?.usedJSHeapSize ?? 0) / 1048576,
                domNodes: document.getElementsByTagName("*").length };
  p.longTasks = [];
  p.frameGaps = [];
  p.timerLag = [];
  return out;
}

function percentile(values, q) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(values) {
  return { n: values.length, p50: percentile(values, 0.5), p99: percentile(values, 0.99),
           max: values.length ? Math.max(...values) : 0 };
}

// Rows in view are filled (no "…" placeholders) and the first one is at `index` or later.
async function rowsFilledFrom(page, index) {
  return page.evaluate((want) => {
    const rows = [...document.querySelectorAll(".vspacer [role=row]")];
    const scroller = document.querySelector(".vscroll");
    const top = scroller.scrollTop, bottom = top + scroller.clientHeight;
    const inView = rows.filter((r) => {
      const y = parseFloat(r.style.top);
      return y + r.offsetHeight > top && y < bottom;
    });
    return inView.length > 0 && !inView.some((r) => r.classList.contains("loading")) &&
           Number(inView[inView.length - 1].dataset.index) >= want;
  }, index);
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measureWindow(page, machines) {
  const scrolls = [], filters = [];
  const states = new Set();
  const end = Date.now() + WINDOW_S * 1000;
  const counts = async () => text(page.locator('[data-count-state="finished"] strong'));
  let round = 0;
  while (Date.now() < end) {
    states.add(await counts());
    const index = Math.floor(Math.random() * (machines - 30));
    scrolls.push(await timed(async () => {
      await page.evaluate((y) => { document.querySelector(".vscroll").scrollTop = y; },
                          index * ROW_HEIGHT);
      await eventually(`the rows around ${index} filled`, () => rowsFilledFrom(page, index), 20_000);
    }));
    if (round++ % 3 === 0) {
      // A name that matches a handful of machines (fleet-m1234 -> fleet-m1234, fleet-m12340...).
      const name = `fleet-m${Math.floor(Math.random() * machines)}`;
      const input = page.getByLabel("Name contains");
      filters.push(await timed(async () => {
        await input.fill(name);
        await eventually(`the list filtered by ${name}`, async () => {
          const first = await page.locator(".vspacer [role=row]").first().getAttribute("data-machine");
          const shown = await text(page.getByTestId("fleet-shown"));
          return first !== null && first.includes(name) && /^\d+ machines? shown$/.test(shown) &&
                 shown !== `${machines} machines shown`;
        }, 20_000);
      }));
      await input.fill("");
      await eventually("the whole fleet listed again", async () =>
        (await text(page.getByTestId("fleet-shown"))) === `${machines} machines shown`, 20_000);
    }
    await page.waitForTimeout(500);
  }
  return { scrolls, filters, finishedCountsSeen: states.size };
}

function table(r) {
  const ms = (v) => v.toFixed(0);
  const rows = [
    ["machines", String(r.machines)],
    ["login to first rows (ms)", ms(r.firstRowsMs)],
    ["scroll to filled rows p50 / max (ms)", `${ms(r.scroll.p50)} / ${ms(r.scroll.max)} (${r.scroll.n})`],
    ["name filter to matches p50 / max (ms)", `${ms(r.filter.p50)} / ${ms(r.filter.max)} (${r.filter.n})`],
    ["long tasks: count / total / max (ms)",
     `${r.longTasks.n} / ${ms(r.longTaskTotalMs)} / ${ms(r.longTasks.max)}`],
    ["frame gap p50 / p99 / max (ms)",
     `${ms(r.frameGaps.p50)} / ${ms(r.frameGaps.p99)} / ${ms(r.frameGaps.max)}`],
    ["timer lag p50 / p99 / max (ms)",
     `${ms(r.timerLag.p50)} / ${ms(r.timerLag.p99)} / ${ms(r.timerLag.max)}`],
    ["JS heap (MB) / DOM elements", `${r.heapMB.toFixed(1)} / ${r.domNodes}`],
    ["distinct finished counts seen (live)", String(r.finishedCountsSeen)],
  ];
  for (const [k, v] of rows) log(`${k.padEnd(42)} ${v}`);
}

async function main() {
  check(opt.fleet && opt["node-dir"], "--fleet and --node-dir are required");
  const outDir = path.resolve(opt.out ?? fs.mkdtempSync(path.join(os.tmpdir(), "drover-ui-bench-")));
  fs.mkdirSync(outDir, { recursive: true });
  log(`# logs in ${outDir}`);
  try {
    setStep(`drover-fleet starts ${MACHINES} machines`);
    const announce = await startFleet(opt.fleet, [
      "--scenario", "steady", "-n", String(MACHINES), "-t", "8", "-w", opt.workers,
      "-d", String(WINDOW_S + 120), "--ceiling-seconds", "0", "--announce", "--keep-serving",
    ], outDir);
    const browser = await launchChromium(opt["node-dir"], opt.chromium);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(`${announce.endpoint}/ui/`);
    await page.evaluate(installProbes);

    const firstRowsMs = await step("log in; the first rows", () => timed(async () => {
      await logIn(page, announce.user, announce.password);
      await page.locator(".vspacer [role=row][data-machine]").first().waitFor();
    }));
    await eventually("the event stream goes live", async () =>
      (await page.getByTestId("stream-status").getAttribute("data-status")) === "live", 30_000);
    await eventually("the whole fleet counted", async () =>
      (await text(page.getByTestId("fleet-shown"))) === `${MACHINES} machines shown`, 30_000);
    await page.evaluate(collectProbes); // the window starts now: forget the page's start-up

    const w = await step(`${WINDOW_S} s of scrolling and filtering under live events`,
                         () => measureWindow(page, MACHINES));
    const probes = await page.evaluate(collectProbes);
    check((await page.getByTestId("stream-status").getAttribute("data-status")) === "live",
          "the event stream is not live at the end");
    check(w.finishedCountsSeen > 1, "the counts never changed: the page took no live events");
    check(pageErrors.length === 0, `uncaught errors in the page: ${pageErrors.join("; ")}`);
    const result = {
      machines: MACHINES, windowSeconds: WINDOW_S, firstRowsMs,
      scroll: summary(w.scrolls), filter: summary(w.filters),
      longTasks: summary(probes.longTasks),
      longTaskTotalMs: probes.longTasks.reduce((a, b) => a + b, 0),
      frameGaps: summary(probes.frameGaps), timerLag: summary(probes.timerLag),
      heapMB: probes.heapMB, domNodes: probes.domNodes, finishedCountsSeen: w.finishedCountsSeen,
    };
    table(result);
    if (opt.json) fs.writeFileSync(opt.json, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await stopEverything();
  }
}

runScript(main, (Number(opt.seconds) + 600) * 1000);
