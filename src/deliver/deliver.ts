import path from "node:path";
import nodemailer from "nodemailer";
import { audienceDisplayName } from "../config/names.js";
import type { Config, ReportConfig } from "../config/schema.js";
import { writingOutput } from "../errors.js";
import { writeFileAtomic } from "../output/atomic-write.js";
import { type Delivery, deliveredTo, readHistory } from "../output/history.js";
import type { Template } from "../render/templates/schema.js";
import type { Period } from "../types.js";
import { formatPeriod } from "../util/format.js";
import { composeMail } from "./compose.js";
import type { MailSettings } from "./mail-settings.js";
import { dataWatch, type Recipient, type RetryPolicy, sendWithRetry } from "./send.js";

/**
 * How a run delivers: not at all, as an .eml file beside the report (`--dry-run`, from the
 * sender the environment names), or by SMTP with retries.
 */
export type EmailMode =
  | { mode: "off" }
  | { mode: "dry-run"; from: string }
  | { mode: "send"; settings: MailSettings; retry: RetryPolicy };

export interface DeliveryRequest {
  config: Config;
  outDir: string;
  /** The configured report's name and settings (recipients, subject). */
  name: string;
  report: ReportConfig;
  template: Template;
  period: Period;
  pdfPath: string;
  email: EmailMode;
  /** Mail recipients who already have this report for this period again. */
  force: boolean;
  /**
   * Called (and awaited) just before the SMTP sending starts, with the deliveries as they stand
   * if the process died during it: the pending recipients `unknown`. The job records them, so a
   * run killed mid-send does not leave "not sent yet" for the next run to mail again.
   */
  onSending?: (deliveries: Delivery[]) => Promise<void>;
}

/**
 * Mails a report's PDF to its recipients (to, cc, bcc) and says, per recipient, what happened. A
 * recipient who already has this report for this period (by the run history: sent, or `unknown`,
 * which may have arrived) is skipped unless `force`, so a retried or overlapping run does not mail anyone twice. A dry run writes the
 * message as `<period>/mail/<report>.eml` instead of sending it.
 */
export async function deliverReport(request: DeliveryRequest): Promise<Delivery[]> {
  const { report, email } = request;
  const recipients = distinctRecipients([
    ...report.to.map((address) => ({ address, kind: "to" as const })),
    ...report.cc.map((address) => ({ address, kind: "cc" as const })),
    ...report.bcc.map((address) => ({ address, kind: "bcc" as const })),
  ]);
  if (recipients.length === 0 || email.mode === "off") return [];
  const { runs } = await readHistory(request.outDir);
  const already = request.force ? new Set<string>() : deliveredTo(runs, request.name, request.period.id);
  const skipped: Delivery[] = recipients
    .filter((r) => already.has(r.address.toLowerCase()))
    .map((r) => ({ recipient: r.address, kind: r.kind, status: "skipped", attempts: 0 }));
  const pending = recipients.filter((r) => !already.has(r.address.toLowerCase()));
  if (pending.length === 0) return skipped;

  const { config, period, pdfPath } = request;
  const periodDir = path.dirname(pdfPath);
  const message = await composeMail({
    title: config.audiences[report.audience]?.title ?? request.template.title,
    audience: audienceDisplayName(report.audience, config.audiences[report.audience]),
    template: request.template,
    periodText: formatPeriod(period.from, period.to, period.timezone),
    periodId: period.id,
    periodDir,
    pdfPath,
    subjectTemplate: report.subject,
    from: email.mode === "send" ? email.settings.from : email.from,
    to: pending.filter((r) => r.kind === "to").map((r) => r.address),
    cc: pending.filter((r) => r.kind === "cc").map((r) => r.address),
    bcc: pending.filter((r) => r.kind === "bcc").map((r) => r.address),
    maxAttachmentBytes: config.email.max_attachment_mb * 1e6,
    linkBaseUrl: config.email.link_base_url,
    outDir: request.outDir,
    currency: config.currency,
  });

  if (email.mode === "dry-run") {
    const preview = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
    const info = await preview.sendMail(message);
    const eml = path.join(periodDir, "mail", `${request.name}.eml`);
    await writingOutput(() => writeFileAtomic(eml, info.message as Buffer), eml);
    const written = pending.map((r) => ({
      recipient: r.address,
      kind: r.kind,
      status: "written" as const,
      attempts: 0,
    }));
    return [...skipped, ...written];
  }
  await request.onSending?.([
    ...skipped,
    ...pending.map((r) => ({
      recipient: r.address,
      kind: r.kind,
      status: "unknown" as const,
      attempts: 1,
      error: "the run ended while sending (its process died): the message may have arrived",
    })),
  ]);
  const watch = dataWatch();
  const transport = nodemailer.createTransport({ ...email.settings.transport, logger: watch.logger });
  try {
    return [
      ...skipped,
      ...(await sendWithRetry(transport, message, pending, email.retry, email.settings.redact, watch)),
    ];
  } finally {
    transport.close();
  }
}

/**
 * Each address once, compared without case (as the dedupe against the history compares them),
 * the first kind listed winning: an address in `to` twice, or in `to` and `cc`, would otherwise
 * be in the envelope twice and get two copies, and the history would record two deliveries.
 */
function distinctRecipients(recipients: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => {
    const key = r.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
