import { type ChildProcess, spawn } from "node:child_process";
import { rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import parsePrometheus from "parse-prometheus-text-format";
import { afterEach, describe, expect, it } from "vitest";
import { readHistory } from "../../src/output/history.js";
import { ROOT, TSX_LOADER } from "../helpers/cli.js";
import { useTempDirs, write } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { startSmtp } from "../helpers/smtp.js";

/**
 * The daemon's HTTP face as IT and operators meet it: `reports schedule --listen` on a loopback
 * port, scraped, health-checked through a failing and a good run, driven with and without the
 * admin token, and asked for files outside the output directory.
 */

const newDir = useTempDirs();
const data = useGeneratedData({ days: 14, rowsPerDay: 40, seed: 21, end: "2026-11-16" });
const TOKEN = "test-admin-token-0123456789";
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("close", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  }
});

/** Starts `reports schedule --listen 127.0.0.1:0` and resolves with its URL once it serves. */
async function startDaemon(
  config: string,
  env: Record<string, string>,
): Promise<{ url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      TSX_LOADER,
      path.join(ROOT, "src/reports.ts"),
      "schedule",
      "--config",
      config,
      "--listen",
      "127.0.0.1:0",
    ],
    { env: { ...process.env, NODE_OPTIONS: "", ...env } },
  );
  children.push(child);
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1];
    if (url !== undefined) return { url, output: () => output };
    if (child.exitCode !== null) throw new Error(`the daemon exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the daemon did not serve within 30 s: ${output}`);
}

/** A daemon config with one daily report mailed to two recipients (its schedule never fires in a test). */
async function config(dir: string, dataDir: string, extra = ""): Promise<string> {
  return write(
    dir,
    "reports.config.yaml",
    `timezone: Europe/Paris
data:
  dir: ${dataDir}
output:
  dir: ${path.join(dir, "out")}
reports:
  daily:
    audience: it
    schedule: "0 7 * * *"
    period: last-week
    to: [ops@shop.example, cto@shop.example]
email:
  attempts: 1
${extra}`,
  );
}

const smtpEnv = (port: number) => ({
  SMTP_HOST: "127.0.0.1",
  SMTP_PORT: String(port),
  MAIL_FROM: "reports@shop.example",
  SMTP_TLS_REJECT_UNAUTHORIZED: "false",
});

const post = (url: string, headers: Record<string, string> = {}, body?: string) =>
  fetch(url, { method: "POST", headers, body });

/** A raw GET: the path goes to the server exactly as written (fetch would normalise `..`). */
function rawGet(
  url: string,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method: "GET", headers }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("reports schedule --listen", () => {
  it("health goes 200 → 503 on a failed run (a broken data file) → 200 after a good one; metrics match the history", async () => {
    const smtp = await startSmtp();
    const dir = await newDir();
    const cfg = await config(dir, data.dir);
    const { url } = await startDaemon(cfg, { ...smtpEnv(smtp.port), REPORTS_ADMIN_TOKEN: TOKEN });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const fresh = await fetch(`${url}/healthz`);
    expect(fresh.status).toBe(200);

    const auth = { Authorization: `Bearer ${TOKEN}` };
    const good = await post(`${url}/reports/daily/run?period=2026-W46`, auth);
    expect(good.status).toBe(200);
    expect(((await good.json()) as { run: { status: string } }).run.status).toBe("ok");
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // The API export is broken: a required column is missing, so the run fails on its data.
    await writeFile(path.join(data.dir, "api_logs_broken.csv"), "timestamp,endpoint\n2026-11-10T10:00,/x\n");
    try {
      const failed = await post(`${url}/reports/daily/run?period=2026-W46`, auth);
      expect(failed.status).toBe(200);
      const answer = (await failed.json()) as { ok: boolean; outcome: string; message: string };
      expect(answer).toMatchObject({ ok: false, outcome: "failed" });
      expect(answer.message).toContain("api_logs_broken.csv");
      const unhealthy = await fetch(`${url}/healthz`);
      expect(unhealthy.status).toBe(503);
      const reasons = (await unhealthy.json()) as {
        problems: { report: string; state: string; detail: string }[];
      };
      expect(reasons.problems).toEqual([
        expect.objectContaining({
          report: "daily",
          state: "failed",
          detail: expect.stringContaining("ended failed"),
        }),
      ]);
    } finally {
      await rm(path.join(data.dir, "api_logs_broken.csv"));
    }
    const again = await post(`${url}/reports/daily/run?period=2026-W46`, auth);
    expect(((await again.json()) as { run: { status: string } }).run.status).toBe("ok");
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // Scraped and parsed as Prometheus would: every family has HELP and TYPE, values are the history's.
    const text = await (await fetch(`${url}/metrics`)).text();
    const families = parsePrometheus(text);
    for (const family of families) {
      expect(family.help, family.name).not.toBe("");
      expect(family.type, family.name).toMatch(/^(GAUGE|COUNTER|HISTOGRAM|SUMMARY|UNTYPED)$/);
    }
    const byName = new Map(families.map((f) => [f.name, f]));
    const { runs } = await readHistory(path.join(dir, "out"));
    const value = (name: string, labels: Record<string, string>) =>
      Number(
        byName.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
          ?.value ?? Number.NaN,
      );
    expect(value("reports_runs_total", { report: "daily", trigger: "manual", status: "ok" })).toBe(
      runs.filter((r) => r.status === "ok").length,
    );
    expect(value("reports_runs_total", { report: "daily", trigger: "manual", status: "failed" })).toBe(1);
    expect(value("reports_deliveries_total", { report: "daily", status: "sent" })).toBe(2);
    expect(value("reports_deliveries_total", { report: "daily", status: "skipped" })).toBe(2);
    expect(value("reports_last_run_status", { report: "daily", status: "ok" })).toBe(1);
    expect(value("reports_healthy", {})).toBe(1);
    expect(value("reports_daemon_running", {})).toBe(1);
    const lastOk = runs.filter((r) => r.status === "ok").at(-1);
    expect(value("reports_last_success_timestamp_seconds", { report: "daily" })).toBe(
      Date.parse(lastOk?.finished_at ?? "") / 1000,
    );
    expect(value("reports_last_run_rows_read", { source: "api" })).toBe(lastOk?.sources?.api?.read);
    expect(byName.has("process_cpu_seconds_total")).toBe(true);
    // One mail per recipient, whatever was asked: the second good run skipped both.
    expect(smtp.received.flatMap((m) => m.envelope).sort()).toEqual(["cto@shop.example", "ops@shop.example"]);
    await smtp.close();
  });

  it("run and resend need the token: 401 without, 200 with, one mail per recipient; 403 when none is configured", async () => {
    // cto@ is refused the first time (a permanent error), accepted afterwards.
    let refused = 0;
    const smtp = await startSmtp({
      onRecipient: (address) => (address === "cto@shop.example" && refused++ === 0 ? 550 : undefined),
    });
    const dir = await newDir();
    const cfg = await config(dir, data.dir);
    const { url } = await startDaemon(cfg, { ...smtpEnv(smtp.port), REPORTS_ADMIN_TOKEN: TOKEN });

    expect((await post(`${url}/reports/daily/run`)).status).toBe(401);
    expect(
      (await post(`${url}/reports/daily/run`, { Authorization: "Bearer wrong-token-wrong-token" })).status,
    ).toBe(401);
    const form = await post(
      `${url}/reports/daily/run`,
      { "Content-Type": "application/x-www-form-urlencoded" },
      `period=2026-W46&token=${encodeURIComponent(TOKEN)}`,
    );
    expect(form.status).toBe(200);
    expect(form.headers.get("content-type")).toContain("text/html");
    const page = await form.text();
    expect(page).toContain("Mail: 1 sent, 1 failed");
    const { runs } = await readHistory(path.join(dir, "out"));
    const run = runs.find((r) => r.status === "delivery-failed");
    expect(run).toBeDefined();

    expect((await post(`${url}/runs/${run?.run_id}/resend`)).status).toBe(401);
    const resent = await post(`${url}/runs/${run?.run_id}/resend`, { Authorization: `Bearer ${TOKEN}` });
    expect(resent.status).toBe(200);
    expect(((await resent.json()) as { run: { status: string } }).run.status).toBe("ok");
    expect((await post(`${url}/runs/no-such-run/resend`, { Authorization: `Bearer ${TOKEN}` })).status).toBe(
      404,
    );
    expect(smtp.received.flatMap((m) => m.envelope).sort()).toEqual(["cto@shop.example", "ops@shop.example"]);
    await smtp.close();

    // Without a token configured the actions are off, and the page says how to turn them on.
    const other = await newDir();
    const off = await startDaemon(await config(other, data.dir), {
      REPORTS_ADMIN_TOKEN: "",
      ...smtpEnv(smtp.port),
    });
    expect((await post(`${off.url}/reports/daily/run`, { Authorization: `Bearer ${TOKEN}` })).status).toBe(
      403,
    );
    expect(await (await fetch(off.url)).text()).toContain("set REPORTS_ADMIN_TOKEN");
  });

  it("serves only files inside the output directory, with safe headers; a large body is refused and the daemon lives", async () => {
    const dir = await newDir();
    const cfg = await config(dir, data.dir);
    const { url } = await startDaemon(cfg, { REPORTS_ADMIN_TOKEN: TOKEN, ...smtpEnv(1) });
    // A report on disk to serve (its mail fails: nothing listens on port 1).
    await post(`${url}/reports/daily/run?period=2026-W46`, { Authorization: `Bearer ${TOKEN}` });
    const out = path.join(dir, "out");
    await writeFile(path.join(dir, "secret.pdf"), "%PDF-1.4 not yours");
    await symlink(path.join(dir, "secret.pdf"), path.join(out, "2026-W46", "evil.pdf"));
    await symlink("/etc", path.join(out, "2026-W46", "etc"));
    // A link inside the output directory to what the rules hide is hidden too.
    await symlink(path.join(out, "history.jsonl"), path.join(out, "2026-W46", "h.json"));

    const pdf = await fetch(`${url}/files/2026-W46/it.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("x-content-type-options")).toBe("nosniff");
    expect(pdf.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    for (const attempt of [
      "/files/../history.jsonl",
      "/files/2026-W46/../../history.jsonl",
      "/files/%2e%2e/history.jsonl",
      "/files/2026-W46/%2e%2e%2f%2e%2e%2fhistory.jsonl",
      "/files/2026-W46/..%2F..%2Fsecret.pdf",
      "/files//etc/passwd",
      "/files/%2Fetc%2Fpasswd",
      "/files/2026-W46/etc/passwd",
      "/files/2026-W46/evil.pdf",
      "/files/2026-W46/h.json",
      "/files/history.jsonl",
      "/files/.locks/x.pdf",
      "/files/2026-W46/.hidden.pdf",
      "/files/2026-W46/mail/daily.eml",
      "/../history.jsonl",
    ]) {
      const answer = await rawGet(url, attempt);
      expect(answer.status, attempt).toBe(404);
      expect(answer.body, attempt).not.toContain("run_id");
      expect(answer.body, attempt).not.toContain("root:");
      expect(answer.body, attempt).not.toContain("not yours");
    }

    // DNS rebinding: a page elsewhere cannot reach the server under its own host name.
    expect((await rawGet(url, "/files/2026-W46/it.pdf", { Host: "attacker.example" })).status).toBe(421);
    expect((await rawGet(url, "/", { Host: "attacker.example:80" })).status).toBe(421);
    // Not a report, whatever JavaScript objects have; a form that cannot be read is a 400.
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await post(`${url}/reports/__proto__/run?period=2026-W46`, auth)).status).toBe(404);
    expect((await post(`${url}/reports/constructor/run`, auth)).status).toBe(404);
    expect(
      (await post(`${url}/reports/daily/run`, { ...auth, "Content-Type": "multipart/form-data" }, "garbage"))
        .status,
    ).toBe(400);
    const big = await post(
      `${url}/reports/daily/run`,
      { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/x-www-form-urlencoded" },
      `period=${"x".repeat(100_000)}`,
    );
    expect(big.status).toBe(413);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
