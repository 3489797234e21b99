import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type Mail from "nodemailer/lib/mailer/index.js";
import { type FindingRecord, findingsFor, routableRecord } from "../insights/findings.js";
import { metricInfo, metricSource } from "../metrics/catalog.js";
import type { Template } from "../render/templates/schema.js";
import { describeChange, formatScalar } from "../render/values.js";
import type { ScalarValue } from "../types.js";
import { visible } from "../util/visible-text.js";

/** What a report mail needs; everything else is read from the run's files on disk. */
export interface MailContent {
  title: string;
  /** What the readers are called (`{audience}` in the subject): "IT", not the key `it`. */
  audience: string;
  template: Template;
  /** The period in words and its id. */
  periodText: string;
  periodId: string;
  periodDir: string;
  pdfPath: string;
  subjectTemplate: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  maxAttachmentBytes: number;
  linkBaseUrl?: string | undefined;
  outDir: string;
  /** ISO 4217 code of the data's amounts, for the headline figures. */
  currency: string;
}

const TONE_COLOURS = { good: "#007a4d", bad: "#c0392b", neutral: "#52606d" };

/**
 * The mail for one report: a plain-text and an HTML body with the audience's headline figures
 * and top findings (read from metrics.json and findings.json beside the PDF, so a resend says
 * exactly what the first mail said), and the PDF attached, streamed from disk. Over the size
 * budget the mail carries the PDF's path (or link) instead. Every value in the HTML is escaped:
 * findings can quote shoppers' text.
 */
export async function composeMail(content: MailContent): Promise<Mail.Options> {
  const metrics = JSON.parse(await readFile(path.join(content.periodDir, "metrics.json"), "utf8")) as {
    metrics: Record<string, { value?: ScalarValue; previous?: ScalarValue }>;
    sources?: Record<string, { coverage?: { complete?: boolean; previous_complete?: boolean } }>;
  };
  const incomplete = new Set(
    Object.entries(metrics.sources ?? {})
      .filter(([, s]) => s.coverage?.complete === false || s.coverage?.previous_complete === false)
      .map(([source]) => source),
  );
  const records = JSON.parse(
    await readFile(path.join(content.periodDir, "findings.json"), "utf8"),
  ) as FindingRecord[];
  const routed = findingsFor(records.map(routableRecord), content.template);
  // Said first: what the figures do not cover. Then the top findings.
  const notices = routed.filter((f) => f.topic === "completeness");
  const findings = routed
    .filter((f) => f.topic !== "completeness" && f.within_normal_variation !== true)
    .slice(0, 5);
  const kpiIds = content.template.sections.find((s) => s.kind === "kpis")?.metrics ?? [];
  const kpis = kpiIds.map((id) => {
    const entry = metrics.metrics[id];
    const change = describeChange(
      id,
      entry?.value ?? null,
      entry?.previous ?? null,
      entry === undefined,
      content.currency,
      incomplete.has(metricSource(id) ?? ""),
    );
    return {
      label: metricInfo(id).label,
      value: entry === undefined ? "n/a" : formatScalar(id, entry.value ?? null, content.currency),
      change,
    };
  });
  const size = (await stat(content.pdfPath)).size;
  const attach = size <= content.maxAttachmentBytes;
  const fileName = `${path.basename(content.pdfPath, ".pdf")}-${content.periodId}.pdf`;
  const relative = path.relative(content.outDir, content.pdfPath).split(path.sep).join("/");
  const where = content.linkBaseUrl ? new URL(relative, content.linkBaseUrl).toString() : content.pdfPath;
  const attachmentLine = attach
    ? `The full report is attached (${fileName}).`
    : `The full report (${(size / 1e6).toFixed(1)} MB) is too large to attach; it is at ${where}`;

  const subject = content.subjectTemplate
    .replaceAll("{title}", content.title)
    .replaceAll("{audience}", content.audience)
    .replaceAll("{period}", content.periodText)
    .replaceAll("{period_id}", content.periodId)
    // Read in the inbox before the mail is opened.
    .concat(notices.some((f) => f.severity === "critical") ? " (data incomplete)" : "");
  // The findings quote the data (and findings.json may predate this check): no control or bidi
  // character reaches a mail raw, in the text body or the HTML.
  const text = visible(
    [
      `${content.title} — ${content.periodText}`,
      "",
      ...(notices.length > 0
        ? [
            notices.some((f) => f.severity === "critical")
              ? "DATA INCOMPLETE: these figures do not cover the whole period."
              : "COMPARISONS HELD BACK: the period before is incomplete.",
            ...notices.map((f) => `! ${f.text}`),
            "",
          ]
        : []),
      ...kpis.map((k) => `${k.label}: ${k.value} (${k.change.text})`),
      "",
      findings.length > 0 ? "What changed:" : "Nothing crossed a threshold this period.",
      ...findings.map((f) => `- ${f.text}`),
      "",
      attachmentLine,
    ].join("\n"),
  );
  const html = `<!doctype html><html lang="en"><body style="font-family:Arial,Helvetica,sans-serif;color:#1f2933;max-width:640px">
<h1 style="font-size:20px;margin:0 0 4px">${escapeHtml(content.title)}</h1>
<p style="color:#52606d;margin:0 0 16px">${escapeHtml(content.periodText)}</p>
${notices.length > 0 ? `<div style="border-left:4px solid #c0392b;padding:4px 0 4px 12px;margin:0 0 16px"><p style="margin:0 0 4px;font-weight:bold;color:#c0392b">Data incomplete: these figures do not cover the whole period</p>${notices.map((f) => `<p style="margin:0 0 4px">${escapeHtml(f.text)}</p>`).join("")}</div>\n` : ""}<table style="border-collapse:collapse;width:100%">${kpis
    .map(
      (k) =>
        `<tr><td style="padding:4px 8px 4px 0">${escapeHtml(k.label)}</td><td style="padding:4px 8px;font-weight:bold;text-align:right">${escapeHtml(k.value)}</td><td style="padding:4px 0;color:${TONE_COLOURS[k.change.tone]}">${escapeHtml(k.change.text)}</td></tr>`,
    )
    .join("\n")}</table>
${findings.length > 0 ? `<h2 style="font-size:16px;margin:16px 0 4px">What changed</h2><ul>${findings.map((f) => `<li>${escapeHtml(f.text)}</li>`).join("")}</ul>` : "<p>Nothing crossed a threshold this period.</p>"}
<p style="color:#52606d">${escapeHtml(attachmentLine)}</p>
</body></html>`;
  return {
    from: content.from,
    to: content.to,
    cc: content.cc,
    bcc: content.bcc,
    subject,
    text,
    html,
    attachments: attach
      ? [{ filename: fileName, path: content.pdfPath, contentType: "application/pdf" }]
      : [],
  };
}

/**
 * HTML-escapes untrusted text (feedback can hold anything, `<script>` included), its control and
 * bidi characters shown as escapes.
 */
export function escapeHtml(text: string): string {
  return visible(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}
