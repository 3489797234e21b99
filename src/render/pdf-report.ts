import PDFDocument from "pdfkit";
import type { Period, SourceSummary } from "../types.js";
import { formatCount, formatDate, formatDateTime, formatPercent, formatPeriod } from "../util/format.js";
import { FONTS } from "./fonts.js";

/** What one audience's document is made of. */
export interface ReportInput {
  title: string;
  audience: string;
  period: Period;
  previous: Period;
  generatedAt: number;
  pageSize: "A4" | "Letter";
  sources: SourceSummary[];
  rejectLimit: number;
}

const MARGIN = 50;
const FOOTER_GAP = 28;
const REJECTS_SHOWN_PER_SOURCE = 15;
const INK = "#1f2933";
const MUTED = "#52606d";

/**
 * Renders one audience's PDF: a header with title, audience, period and generation time, the
 * data the report stands on (files, rows read, accepted and rejected, time covered) and a
 * data-quality appendix with the first rejected rows, "Page X of Y" on every page. All text is
 * real text in the bundled, embedded font.
 */
export async function renderReportPdf(input: ReportInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: input.pageSize,
    margins: { top: MARGIN, bottom: MARGIN + FOOTER_GAP, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    lang: "en-GB",
    displayTitle: true,
    info: {
      Title: `${input.title} — ${input.period.id}`,
      Author: "shop-reports",
      Subject: `${input.title} for ${input.audience}, ${formatPeriod(input.period.from, input.period.to, input.period.timezone)}`,
      Keywords: `report, ${input.audience}, ${input.period.id}`,
      CreationDate: new Date(input.generatedAt),
      ModDate: new Date(input.generatedAt),
    },
  });
  const done = collect(doc);
  doc.registerFont("body", FONTS.regular);
  doc.registerFont("bold", FONTS.bold);

  header(doc, input);
  coverage(doc, input);
  dataQuality(doc, input);
  footers(doc);

  doc.end();
  return done;
}

// ---------------------------------------------------------------------------------------------

function header(doc: PDFKit.PDFDocument, input: ReportInput): void {
  const tz = input.period.timezone;
  doc.font("bold").fontSize(20).fillColor(INK).text(input.title);
  doc.moveDown(0.3);
  doc.font("body").fontSize(10).fillColor(MUTED);
  doc.text(`Audience: ${input.audience}`);
  doc.text(`Period: ${formatPeriod(input.period.from, input.period.to, tz)}  ·  ${input.period.id}`);
  doc.text(`Compared with: ${formatPeriod(input.previous.from, input.previous.to, tz)}`);
  doc.text(`Generated: ${formatDateTime(input.generatedAt, tz)} (${tz})`);
  doc.moveDown(1);
}

function coverage(doc: PDFKit.PDFDocument, input: ReportInput): void {
  const tz = input.period.timezone;
  doc.outline.addItem("Data this report is built on");
  sectionTitle(doc, "Data this report is built on");
  const rows = input.sources.map((s) => [
    s.source,
    s.files.length === 0 ? "no file" : s.files.length === 1 ? (s.files[0] ?? "") : `${s.files.length} files`,
    formatCount(s.rows_read),
    formatCount(s.rows_accepted),
    s.rows_read === 0
      ? "0"
      : `${formatCount(s.rows_rejected)} (${formatPercent(s.rows_rejected / s.rows_read)})`,
    s.span === null ? "no data" : `${formatDate(s.span.from, tz)} – ${formatDate(s.span.to, tz)}`,
  ]);
  doc.font("body").fontSize(8).fillColor(INK);
  doc.table({
    columnStyles: [52, 112, 42, 48, 62, "*"],
    rowStyles: (i) => (i === 0 ? { backgroundColor: "#e4e7eb" } : undefined),
    defaultStyle: { border: 0.5, borderColor: "#cbd2d9", padding: 3 },
    data: [
      ["Source", "Files", "Read", "Accepted", "Rejected", "Time covered"].map((text) => ({
        text,
        type: "TH" as const,
      })),
      ...rows,
    ],
  });
  doc.moveDown(0.5);
  doc
    .fontSize(9)
    .fillColor(MUTED)
    .text(
      `A source fails the run when more than ${formatPercent(input.rejectLimit)} of its rows are rejected. ` +
        "Rejected rows are left out of every figure; the appendix lists the first ones.",
      MARGIN,
    );
  doc.moveDown(1);
}

function dataQuality(doc: PDFKit.PDFDocument, input: ReportInput): void {
  doc.outline.addItem("Appendix: data quality");
  sectionTitle(doc, "Appendix: data quality");
  const withRejects = input.sources.filter((s) => s.rows_rejected > 0 || s.error !== null);
  if (withRejects.length === 0) {
    doc.font("body").fontSize(10).fillColor(INK).text("No row was rejected in any source.");
    return;
  }
  for (const s of withRejects) {
    doc
      .font("bold")
      .fontSize(10)
      .fillColor(INK)
      .text(`${s.source}: ${formatCount(s.rows_rejected)} rejected`);
    doc.font("body").fontSize(8.5).fillColor(INK);
    if (s.error !== null) doc.text(s.error);
    for (const r of s.rejects.slice(0, REJECTS_SHOWN_PER_SOURCE)) {
      doc.text(`${r.file}:${r.line}: ${r.reason}`, { indent: 10 });
    }
    const more = s.rows_rejected - Math.min(s.rejects.length, REJECTS_SHOWN_PER_SOURCE);
    if (more > 0)
      doc
        .fillColor(MUTED)
        .text(`… and ${formatCount(more)} more (see metrics.json and rejects.csv).`, { indent: 10 });
    doc.moveDown(0.5);
  }
}

function sectionTitle(doc: PDFKit.PDFDocument, text: string): void {
  doc.font("bold").fontSize(13).fillColor(INK).text(text, MARGIN);
  doc.moveDown(0.4);
}

/** "Page X of Y", written once every page exists, inside the bottom margin. */
function footers(doc: PDFKit.PDFDocument): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font("body")
      .fontSize(8)
      .fillColor(MUTED)
      .text(`Page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN, {
        width: doc.page.width - 2 * MARGIN,
        align: "right",
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
}
