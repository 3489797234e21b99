import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { readHistory, type Trigger } from "../../src/output/history.js";
import { type JobContext, resendRun, runReportJob } from "../../src/run/report-job.js";
import { parsePeriodSpec } from "../../src/time/periods.js";
import { ROOT, TSX_LOADER } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { jobContextFor, mailTo } from "../helpers/jobs.js";
import { pdfText } from "../helpers/pdf.js";
import { freePort, startSmtp } from "../helpers/smtp.js";

const newDir = useTempDirs();
const data = useGeneratedData({ days: 14, rowsPerDay: 60, seed: 21, end: "2026-11-16" });
const period = parsePeriodSpec("2026-W46", "Europe/Paris", Date.now());
const now = Date.parse("2026-11-16T07:00:00Z");

async function setup(recipients: { to?: string[]; cc?: string[]; bcc?: string[] }) {
  const raw = {
    timezone: "Europe/Paris",
    reports: { weekly: { audience: "managers", schedule: "0 8 * * 1", ...recipients } },
  };
  return jobContextFor(raw, data.dir, await newDir());
}

// The password is set so a test can check it never reaches the history.
const sendTo = (port: number, attempts = 3) => mailTo(port, attempts, { SMTP_PASSWORD: "s3cret-pass" });

/** Runs the "weekly" report for week 46, mailing through the loopback server on `port`. */
function runWeekly(
  context: JobContext,
  port: number,
  options: { attempts?: number; trigger?: Trigger; force?: boolean } = {},
) {
  return runReportJob(context, {
    report: "weekly",
    period,
    trigger: options.trigger ?? "manual",
    now,
    generatedAt: now,
    email: sendTo(port, options.attempts),
    force: options.force,
  });
}

describe("email delivery over a real SMTP server", () => {
  it("sends the report with STARTTLS to To, Cc and Bcc, with the PDF attached and the figures in both bodies", async () => {
    const smtp = await startSmtp();
    try {
      const context = await setup({
        to: ["ceo@shop.example"],
        cc: ["cfo@shop.example"],
        bcc: ["archive@shop.example"],
      });
      const run = await runWeekly(context, smtp.port);
      expect(run.status).toBe("ok");
      expect(run.deliveries?.map((d) => [d.recipient, d.kind, d.status, d.attempts])).toEqual([
        ["ceo@shop.example", "to", "sent", 1],
        ["cfo@shop.example", "cc", "sent", 1],
        ["archive@shop.example", "bcc", "sent", 1],
      ]);
      expect(smtp.received).toHaveLength(1);
      const { envelope, mail, secure } = smtp.received[0] as (typeof smtp.received)[number];
      expect(secure).toBe(true); // STARTTLS is required by default, and happened
      expect(envelope.sort()).toEqual(["archive@shop.example", "ceo@shop.example", "cfo@shop.example"]);
      expect(mail.subject).toBe("Weekly business report: Mon, 9 Nov 2026 – Sun, 15 Nov 2026 (Europe/Paris)");
      expect(mail.headers.get("bcc")).toBeUndefined();
      expect(mail.text).toContain("Orders placed: ");
      expect(mail.text).toMatch(/Value of abandoned carts: €[\d,]+\.\d\d \(/); // EUR, the default currency
      expect(mail.html).toContain("Checkout conversion");
      const [attachment] = mail.attachments;
      expect(attachment?.filename).toBe("managers-2026-W46.pdf");
      expect(attachment?.contentType).toBe("application/pdf");
      expect(pdfText(attachment?.content as Buffer)).toContain("Weekly business report");
    } finally {
      await smtp.close();
    }
  });

  it("mails an address listed twice, in any case or in to and cc, once, as its first kind", async () => {
    const smtp = await startSmtp();
    try {
      const context = await setup({
        to: ["ceo@shop.example", "CEO@Shop.Example"],
        cc: ["ceo@shop.example", "cfo@shop.example"],
        bcc: ["Cfo@shop.example", "archive@shop.example"],
      });
      const run = await runWeekly(context, smtp.port);
      expect(run.deliveries?.map((d) => [d.recipient, d.kind, d.status])).toEqual([
        ["ceo@shop.example", "to", "sent"],
        ["cfo@shop.example", "cc", "sent"],
        ["archive@shop.example", "bcc", "sent"],
      ]);
      expect(smtp.received).toHaveLength(1);
      const { envelope, mail } = smtp.received[0] as (typeof smtp.received)[number];
      expect(envelope.sort()).toEqual(["archive@shop.example", "ceo@shop.example", "cfo@shop.example"]);
      expect(mail.headers.get("to")).toMatchObject({ value: [{ address: "ceo@shop.example" }] });
      expect(mail.headers.get("cc")).toMatchObject({ value: [{ address: "cfo@shop.example" }] });
      const { runs } = await readHistory(context.outDir);
      expect(runs.at(-1)?.deliveries).toHaveLength(3);
    } finally {
      await smtp.close();
    }
  });

  // Guards "for it" in a subject: {audience} is what the readers are called, and money carries
  // the configured currency.
  it("names the audience as its readers are called and prints money in the configured currency", async () => {
    const smtp = await startSmtp();
    try {
      const context = await jobContextFor(
        {
          timezone: "Europe/Paris",
          currency: "GBP",
          reports: {
            weekly: {
              audience: "managers",
              schedule: "0 8 * * 1",
              to: ["ceo@shop.example"],
              subject: "{title} for {audience}",
            },
            daily: {
              audience: "it",
              schedule: "0 7 * * *",
              to: ["ops@shop.example"],
              subject: "{title} for {audience}",
            },
          },
        },
        data.dir,
        await newDir(),
      );
      await runWeekly(context, smtp.port);
      await runReportJob(context, {
        report: "daily",
        period,
        trigger: "manual",
        now,
        generatedAt: now,
        email: sendTo(smtp.port),
      });
      const [managers, it] = smtp.received.map((r) => r.mail);
      expect(managers?.subject).toBe("Weekly business report for Managers");
      expect(managers?.text).toMatch(/Value of abandoned carts: £[\d,]+\.\d\d \(/);
      expect(it?.subject).toBe("Reliability report for IT");
    } finally {
      await smtp.close();
    }
  });

  it("escapes untrusted text from the data in the HTML body", async () => {
    const smtp = await startSmtp();
    try {
      const context = await setup({ to: ["ux@shop.example"] });
      // A shopper-facing error message carrying markup becomes the top loss reason, quoted by a finding.
      const events = Array.from({ length: 30 }, (_, i) => [
        {
          user_id: `X${i}`,
          session_id: `X${i}`,
          path: "/products/x",
          css: "a.product-card",
          event_time: "2026-11-10T10:00:00Z",
        },
        {
          user_id: `X${i}`,
          session_id: `X${i}`,
          path: "/checkout",
          css: "div.error-message",
          text: "<script>alert('x')</script>",
          event_time: "2026-11-10T10:01:00Z",
        },
      ]).flat();
      await appendFile(
        path.join(data.dir, "sessions.jsonl"),
        `${events.map((e) => JSON.stringify(e)).join("\n")}\n`,
      );
      await runWeekly(context, smtp.port);
      const html = smtp.received[0]?.mail.html as string;
      expect(html).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
      expect(html).not.toContain("<script>");
    } finally {
      await smtp.close();
    }
  });

  it("escapes feedback text, untrusted input, in the HTML body", async () => {
    const smtp = await startSmtp();
    try {
      const context = await setup({ to: ["support@shop.example"] });
      const weekly = context.config.reports.weekly as Config["reports"][string];
      context.config.reports.weekly = { ...weekly, audience: "support" };
      // A five-star rating whose text is negative becomes a quoted finding for support.
      const row = `u-x,2026-11-09T00:00:01,"<script>alert(1)</script> checkout crashed, froze, broken",5\n`;
      await appendFile(path.join(data.dir, "user_feedback.csv"), row);
      await runWeekly(context, smtp.port);
      const html = smtp.received[0]?.mail.html as string;
      expect(html).toContain("wrote: \u201C&lt;script&gt;alert(1)&lt;/script&gt; checkout crashed");
      expect(html).not.toContain("<script>");
      expect(smtp.received[0]?.mail.text).toContain("<script>alert(1)</script>"); // plain text needs no escaping
    } finally {
      await smtp.close();
    }
  });

  // Runs after the test above, whose feedback row is a second later: this one is the earliest.
  it("shows control and bidi characters from the data as escapes in both bodies and the PDF", async () => {
    const smtp = await startSmtp();
    try {
      const context = await setup({ to: ["support@shop.example"] });
      const weekly = context.config.reports.weekly as Config["reports"][string];
      context.config.reports.weekly = { ...weekly, audience: "support" };
      const row = `u-y,2026-11-09T00:00:00,"checkout crashed \u202E froze \u0007 broken \u2066 awful",5\n`;
      await appendFile(path.join(data.dir, "user_feedback.csv"), row);
      await runWeekly(context, smtp.port);
      const mail = smtp.received[0]?.mail;
      const shown = "checkout crashed \\u202E froze \\u0007 broken \\u2066 awful";
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the raw characters must be absent.
      const raw = /[\u0007\u202E\u2066]/;
      expect(mail?.text).toContain(shown);
      expect(mail?.html).toContain(shown);
      expect(mail?.text).not.toMatch(raw);
      expect(mail?.html).not.toMatch(raw);
      const pdf = pdfText(mail?.attachments[0]?.content as Buffer);
      expect(pdf).toContain("crashed \\u202E froze");
      expect(pdf).not.toMatch(raw);
    } finally {
      await smtp.close();
    }
  });

  // Who already has the report is read from the history: a line without a period used to crash it.
  it("mails despite a history line of the wrong shape", async () => {
    const smtp = await startSmtp();
    try {
      const context = await setup({ to: ["ceo@shop.example"] });
      await writeFile(
        path.join(context.outDir, "history.jsonl"),
        '{"run_id":"x","report":"weekly","deliveries":[]}\n',
      );
      const run = await runWeekly(context, smtp.port);
      expect(run.status).toBe("ok");
      expect(smtp.received).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });

  it("retries a transient rejection and succeeds, retrying only that recipient", async () => {
    let refusals = 0;
    const smtp = await startSmtp({
      onRecipient: (a) => (a === "flaky@shop.example" && refusals++ < 1 ? 451 : undefined),
    });
    try {
      const context = await setup({ to: ["ceo@shop.example", "flaky@shop.example"] });
      const run = await runWeekly(context, smtp.port);
      expect(run.status).toBe("ok");
      expect(run.deliveries?.map((d) => [d.recipient, d.status, d.attempts])).toEqual([
        ["ceo@shop.example", "sent", 1],
        ["flaky@shop.example", "sent", 2],
      ]);
      expect(smtp.received.map((r) => r.envelope)).toEqual([["ceo@shop.example"], ["flaky@shop.example"]]);
    } finally {
      await smtp.close();
    }
  });

  it("does not retry a permanent rejection, records it, keeps the PDF, and never leaks the password", async () => {
    const smtp = await startSmtp({ onRecipient: (a) => (a === "gone@shop.example" ? 550 : undefined) });
    try {
      const context = await setup({ to: ["gone@shop.example"] });
      const run = await runWeekly(context, smtp.port);
      expect(run.status).toBe("delivery-failed");
      expect(run.deliveries?.[0]).toMatchObject({
        recipient: "gone@shop.example",
        status: "failed",
        attempts: 1,
      });
      expect(run.deliveries?.[0]?.error).toContain("550");
      expect(existsSync(path.join(context.outDir, "2026-W46", "managers.pdf"))).toBe(true);
      const { runs } = await readHistory(context.outDir);
      expect(runs.at(-1)?.status).toBe("delivery-failed");
      const { readFile } = await import("node:fs/promises");
      expect(await readFile(path.join(context.outDir, "history.jsonl"), "utf8")).not.toContain("s3cret-pass");
    } finally {
      await smtp.close();
    }
  });

  it("exhausts its retries while the server is down, then `resend` delivers once it is up, and only once", async () => {
    const port = await freePort();
    const context = await setup({ to: ["ceo@shop.example"] });
    const failed = await runWeekly(context, port, { attempts: 3 });
    expect(failed.status).toBe("delivery-failed");
    expect(failed.deliveries?.[0]).toMatchObject({ status: "failed", attempts: 3 });
    expect(failed.deliveries?.[0]?.error).toMatch(/ECONNREFUSED/);

    const smtp = await startSmtp({ port });
    try {
      const resent = await resendRun(context, failed.run_id, sendTo(port), now + 60_000);
      expect(resent).toMatchObject({ status: "ok", trigger: "resend", resend_of: failed.run_id });
      expect(smtp.received).toHaveLength(1);
      // Run again for the same period: the recipient already has it, so nothing is sent …
      const again = await runWeekly(context, port, { trigger: "catch-up" });
      expect(again.deliveries?.[0]).toMatchObject({ status: "skipped" });
      // … unless asked.
      const forced = await runWeekly(context, port, { force: true });
      expect(forced.deliveries?.[0]).toMatchObject({ status: "sent" });
      expect(smtp.received).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });

  it("refuses to resend when metrics.json or findings.json changed since the run (another run wrote them)", async () => {
    const port = await freePort();
    const context = await setup({ to: ["ceo@shop.example"] });
    const failed = await runWeekly(context, port, { attempts: 1 });
    expect(failed.status).toBe("delivery-failed");
    const periodDir = path.join(context.outDir, "2026-W46");
    for (const name of ["metrics.json", "findings.json"]) {
      const file = path.join(periodDir, name);
      const original = await readFile(file);
      await writeFile(file, `${original.toString("utf8").trimEnd()} \n`);
      const smtp = await startSmtp({ port });
      try {
        await expect(resendRun(context, failed.run_id, sendTo(port), now + 60_000)).rejects.toMatchObject({
          kind: "data",
          message: expect.stringContaining(`${file} is missing or changed since run ${failed.run_id}`),
        });
        expect(smtp.received).toHaveLength(0);
      } finally {
        await smtp.close();
      }
      await writeFile(file, original);
    }
  });
});

describe("a connection dropped after the message was sent", () => {
  it("is not retried: the delivery is `unknown`, a re-run skips it, resend mails it only with --force", async () => {
    const smtp = await startSmtp({ dropAfterData: 1 });
    try {
      const context = await setup({ to: ["ceo@shop.example"] });
      const run = await runWeekly(context, smtp.port, { attempts: 3 });
      // The server got the message once; the client saw no reply and must not send it again.
      expect(smtp.received).toHaveLength(1);
      expect(run.status).toBe("delivery-failed");
      expect(run.deliveries?.[0]).toMatchObject({
        recipient: "ceo@shop.example",
        status: "unknown",
        attempts: 1,
      });
      expect(run.deliveries?.[0]?.error).toMatch(/ECONNECTION|ECONNRESET|closed/);
      const { runs } = await readHistory(context.outDir);
      expect(runs.at(-1)?.deliveries?.[0]?.status).toBe("unknown");

      const again = await runWeekly(context, smtp.port, { trigger: "catch-up" });
      expect(again.deliveries?.[0]).toMatchObject({ status: "skipped" });
      const resent = await resendRun(context, run.run_id, sendTo(smtp.port), now + 60_000);
      expect(resent.deliveries?.[0]).toMatchObject({ status: "skipped" });
      expect(smtp.received).toHaveLength(1);
      const forced = await resendRun(context, run.run_id, sendTo(smtp.port), now + 120_000, true);
      expect(forced.deliveries?.[0]).toMatchObject({ status: "sent" });
      expect(smtp.received).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });
});

describe("a run killed while it mails", () => {
  it("leaves its recipients `unknown` in the history, so the next run does not mail them again", async () => {
    const smtp = await startSmtp({ acceptDelayMs: 20_000 });
    try {
      const dir = await newDir();
      const out = path.join(dir, "out");
      const config = path.join(dir, "reports.config.yaml");
      await writeFile(
        config,
        `timezone: Europe/Paris
data:
  dir: ${data.dir}
output:
  dir: ${out}
reports:
  weekly:
    audience: managers
    schedule: "0 8 * * 1"
    to: [ceo@shop.example]
`,
      );
      const child = spawn(
        process.execPath,
        [
          "--import",
          TSX_LOADER,
          path.join(ROOT, "src/reports.ts"),
          "run",
          "--report",
          "weekly",
          "--email",
          "--period",
          "2026-W46",
          "--config",
          config,
        ],
        {
          env: {
            ...process.env,
            NODE_OPTIONS: "",
            SMTP_HOST: "127.0.0.1",
            SMTP_PORT: String(smtp.port),
            MAIL_FROM: "reports@shop.example",
            SMTP_TLS_REJECT_UNAUTHORIZED: "false",
          },
          stdio: "ignore",
        },
      );
      const exited = new Promise((resolve) => child.on("close", resolve));
      const started = Date.now();
      // The server has the message and holds its reply: kill the run now.
      while (smtp.received.length === 0 && Date.now() - started < 60_000)
        await new Promise((r) => setTimeout(r, 20));
      child.kill("SIGKILL");
      await exited;
      expect(smtp.received).toHaveLength(1);
      const { runs } = await readHistory(out);
      expect(runs.at(-1)?.deliveries?.[0]).toMatchObject({
        recipient: "ceo@shop.example",
        status: "unknown",
      });

      const context = await jobContextFor(
        {
          timezone: "Europe/Paris",
          reports: { weekly: { audience: "managers", schedule: "0 8 * * 1", to: ["ceo@shop.example"] } },
        },
        data.dir,
        out,
      );
      const again = await runWeekly(context, smtp.port, { trigger: "catch-up" });
      expect(again.deliveries?.[0]).toMatchObject({ status: "skipped" });
      expect(smtp.received).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  }, 90_000);
});
