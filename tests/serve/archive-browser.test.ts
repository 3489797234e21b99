/// <reference lib="dom" />
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendHistory } from "../../src/output/history.js";
import { ROOT, reports, TSX_LOADER } from "../helpers/cli.js";
import { write } from "../helpers/files.js";

/**
 * The archive page in a real browser (Debian's headless Chromium through puppeteer-core), served
 * by `reports serve` without a daemon: no console error, the periods listed newest first, a PDF
 * that downloads as a PDF, the page's structure for assistive technology, and screenshots at
 * phone and desktop width (UPDATE_SCREENSHOTS=1 copies them to docs/images/). Health without a
 * daemon is judged from the history alone: a report that missed its fire is overdue.
 */

const CHROMIUM = "/usr/bin/chromium";
let browser: Browser;
let server: ChildProcess | undefined;
let url = "";
let out = "";
let dir = "";

async function serve(config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      TSX_LOADER,
      path.join(ROOT, "src/reports.ts"),
      "serve",
      "--config",
      config,
      "--listen",
      "127.0.0.1:0",
    ],
    { env: { ...process.env, NODE_OPTIONS: "", REPORTS_ADMIN_TOKEN: "browser-test-token-0123456789" } },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const found = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    if (found !== undefined) return { child, url: found };
    if (child.exitCode !== null) throw new Error(`reports serve exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("reports serve did not start within 30 s");
}

beforeAll(async () => {
  // One directory for the whole file (the tests read what beforeAll wrote), removed after.
  dir = await mkdtemp(path.join(tmpdir(), "reports-archive-"));
  out = path.join(dir, "out");
  const config = await write(
    dir,
    "reports.config.yaml",
    `timezone: Europe/Paris
data:
  dir: ${path.join(ROOT, "data/sample")}
output:
  dir: ${out}
`,
  );
  // Two weeks of the managers' report and one of IT's, as operators would have run them.
  for (const [report, period] of [
    ["managers", "2026-W45"],
    ["managers", "2026-W46"],
    ["it", "2026-W46"],
  ] as const) {
    const run = await reports([
      "run",
      "--config",
      config,
      "--report",
      report,
      "--period",
      period,
      "--dry-run",
    ]);
    expect(run.code, run.stderr).toBe(0);
  }
  ({ child: server, url } = await serve(config));
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  await rm(dir, { recursive: true, force: true });
});

describe("the archive page in Chromium", () => {
  it("loads without a console error, lists the periods newest first, and a PDF link downloads a PDF", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    const response = await page.goto(url, { waitUntil: "networkidle0" });
    expect(response?.status()).toBe(200);
    expect(errors).toEqual([]);
    const periods = await page.$$eval("section.period h3", (hs) =>
      hs.map((h) => h.textContent?.trim().split(" ")[0]),
    );
    expect(periods).toEqual(["2026-W46", "2026-W45"]);
    const links = await page.$$eval("ul.pdfs a", (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links.some((l) => l.endsWith("/files/2026-W46/managers.pdf"))).toBe(true);
    // Clicked as a reader would: the browser downloads it (the page's CSP allows no fetch from script).
    const downloads = path.join(out, "..", "downloads");
    await mkdir(downloads, { recursive: true });
    const cdp = await page.createCDPSession();
    await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
    await page.click('a[href="/files/2026-W46/managers.pdf"]');
    const file = path.join(downloads, "managers.pdf");
    const deadline = Date.now() + 15_000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await readFile(file)).subarray(0, 5).toString()).toBe("%PDF-");
    const answer = await fetch(`${url}/files/2026-W46/managers.pdf`);
    expect(answer.headers.get("content-type")).toBe("application/pdf");
    expect(answer.headers.get("content-disposition")).toBe('attachment; filename="managers.pdf"');
    await page.close();
  });

  it("has landmarks, one h1, labelled fields and table headers; screenshots at phone and desktop width", async () => {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: "networkidle0" });
    const structure = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      landmarks: ["header", "main", "footer"].map((tag) => document.querySelectorAll(tag).length),
      h1: document.querySelectorAll("h1").length,
      unlabelled: Array.from(document.querySelectorAll("input")).filter(
        (input) => input.id === "" || document.querySelector(`label[for="${input.id}"]`) === null,
      ).length,
      headerCells: Array.from(document.querySelectorAll("table")).map(
        (t) => t.querySelectorAll("th[scope]").length,
      ),
      captions: Array.from(document.querySelectorAll("table")).filter(
        (t) => t.querySelector("caption") === null,
      ).length,
      scripts: document.querySelectorAll("script").length,
    }));
    expect(structure.lang).toBe("en");
    expect(structure.landmarks).toEqual([1, 1, 1]);
    expect(structure.h1).toBe(1);
    expect(structure.unlabelled).toBe(0);
    expect(structure.headerCells.every((n) => n >= 5)).toBe(true);
    expect(structure.captions).toBe(0);
    expect(structure.scripts).toBe(0);

    const shots = path.join(out, "..", "screenshots");
    await mkdir(shots, { recursive: true });
    for (const [name, width] of [
      ["archive-phone.png", 390],
      ["archive-desktop.png", 1280],
    ] as const) {
      await page.setViewport({ width, height: 900 });
      await page.goto(url, { waitUntil: "networkidle0" });
      // Nothing wider than the screen: no sideways scrolling on a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      const file = path.join(shots, name);
      await page.screenshot({ path: file, fullPage: true });
      if (process.env.UPDATE_SCREENSHOTS === "1") await copyFile(file, path.join(ROOT, "docs/images", name));
    }
    await page.close();
  });

  it("without a daemon, judges health from the history: a report that missed its fire is overdue", async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // The support report last ran (on schedule) ten days ago: its Monday fire since found no run.
    const started = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await appendHistory(out, {
      run_id: "support-old",
      report: "support",
      audience: "support",
      trigger: "schedule",
      period: { id: "2026-11-01", from: started, to: started, timezone: "Europe/Paris" },
      started_at: started,
      finished_at: started,
      status: "ok",
    });
    const overdue = await fetch(`${url}/healthz`);
    expect(overdue.status).toBe(503);
    const body = (await overdue.json()) as { mode: string; problems: { report: string; state: string }[] };
    expect(body.mode).toBe("serve");
    expect(body.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ report: "support", state: "overdue" })]),
    );
  });
});
