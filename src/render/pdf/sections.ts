import { findingsFor, type RoutingTemplate } from "../../insights/findings.js";
import { metricInfo, metricSource } from "../../metrics/catalog.js";
import type { Finding, MetricResults, Period, ScalarValue, SourceName, SourceSummary } from "../../types.js";
import { formatCount, formatPercent } from "../../util/format.js";
import { visible } from "../../util/visible-text.js";
import { buildChart } from "../charts/chart-kinds.js";
import { renderChartPng } from "../charts/renderer.js";
import { metricNotes, tableView } from "../table-view.js";
import type { SectionOf } from "../templates/schema.js";
import { describeChange, formatScalar } from "../values.js";
import {
  BAD,
  contentWidth,
  ensureSpace,
  FONT,
  GOOD,
  INK,
  MARGIN_X,
  MUTED,
  NEUTRAL,
  RULE,
  SEVERITY_COLOURS,
  TYPE,
} from "./layout.js";
import { drawTable } from "./table.js";
import { drawText, isPlainText } from "./text.js";

/** What every section renderer may read. */
export interface SectionContext {
  doc: PDFKit.PDFDocument;
  audience: string;
  results: MetricResults;
  findings: Finding[];
  /** The report's template: which findings its readers get (its `findings` key and what it shows). */
  template: RoutingTemplate;
  period: Period;
  sources: SourceSummary[];
  rejectLimit: number;
  /** The configuration's currency: every amount is printed with it. */
  currency: string;
  /** Charts drawn, for `--charts`. */
  charts: { name: string; png: Buffer }[];
  /** Sources whose rows do not cover the period or the one before: their KPIs are not compared. */
  incomplete: ReadonlySet<SourceName>;
}

export const NO_DATA = "No data for this period.";

/** Opens a section: its structure element, its outline entry and its heading (kept with what follows). */
export function openSection(
  ctx: SectionContext,
  parent: PDFKit.PDFStructureElement,
  title: string | undefined,
  /** Points that must fit below the heading with it, or both go to the next page. */
  keepWith = 90,
): PDFKit.PDFStructureElement {
  const { doc } = ctx;
  const sect = doc.struct("Sect");
  parent.add(sect);
  if (title !== undefined) {
    ensureSpace(doc, keepWith);
    // The bookmark jumps to the heading itself (pdfkit counts `left` from the right edge).
    doc.outline.addItem(title, { top: doc.y, left: doc.page.width } as never);
    sect.add(
      doc.struct("H2", {}, () => {
        doc
          .font(FONT.bold)
          .fontSize(12.5)
          .fillColor(INK)
          .text(title, MARGIN_X, doc.y, { width: contentWidth(doc), ellipsis: true, height: 32 });
      }),
    );
    doc.moveDown(0.35);
  }
  return sect;
}

export function paragraph(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  text: string,
  options: { colour?: string; size?: number } = {},
): void {
  const { doc } = ctx;
  sect.add(
    doc.struct("P", {}, () => {
      drawText(doc, text, MARGIN_X, doc.y, contentWidth(doc), {
        size: options.size ?? TYPE.body,
        color: options.colour ?? INK,
      });
    }),
  );
}

/** KPI tiles, four a row: label, value, and the change against the previous period coloured by whether it is good. */
export function kpiSection(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  section: SectionOf<"kpis">,
): void {
  const { doc, results } = ctx;
  const available = section.metrics.filter((id) => results.has(id));
  if (available.length === 0) {
    paragraph(ctx, sect, NO_DATA, { colour: MUTED });
    return;
  }
  const perRow = 4;
  const gap = 8;
  const width = (contentWidth(doc) - gap * (perRow - 1)) / perRow;
  const height = 72;
  section.metrics.forEach((id, i) => {
    if (i % perRow === 0) ensureSpace(doc, height + gap);
    const x = MARGIN_X + (i % perRow) * (width + gap);
    const y = doc.y;
    const output = results.get(id);
    const value: ScalarValue = output?.kind === "scalar" ? output.value : null;
    const previous: ScalarValue = output?.kind === "scalar" ? output.previous : null;
    const partial = ctx.incomplete.has(metricSource(id) as SourceName);
    const change = describeChange(id, value, previous, output === undefined, ctx.currency, partial);
    const colour = change.tone === "good" ? GOOD : change.tone === "bad" ? BAD : NEUTRAL;
    doc.markContent("Artifact", { type: "Layout" });
    doc.roundedRect(x, y, width, height, 4).lineWidth(0.6).strokeColor(RULE).stroke();
    doc.endMarkedContent();
    sect.add(
      doc.struct("P", {}, () => {
        doc
          .font(FONT.body)
          .fontSize(TYPE.tile)
          .fillColor(MUTED)
          .text(metricInfo(id).label, x + 7, y + 6, { width: width - 14, height: 22, ellipsis: true });
        const text = formatScalar(id, value, ctx.currency);
        // The largest size at which the whole figure fits the tile (a headline number is never cut).
        doc.font(FONT.bold);
        let size = 15;
        while (size > 8 && doc.fontSize(size).widthOfString(text) > width - 14) size -= 0.5;
        doc
          .fontSize(size)
          .fillColor(INK)
          .text(text, x + 7, y + 29, { width: width - 14, height: 20, ellipsis: true, lineBreak: false });
        // The change line keeps its comparison whole too, down to the smallest type (8 pt).
        doc.font(FONT.body).fontSize(TYPE.tile);
        if (doc.widthOfString(change.text) > width - 14) doc.fontSize(TYPE.furniture);
        doc.fillColor(colour).text(change.text, x + 7, y + 54, {
          width: width - 14,
          height: 13,
          ellipsis: true,
          lineBreak: false,
        });
      }),
    );
    doc.y = i % perRow === perRow - 1 || i === section.metrics.length - 1 ? y + height + gap : y;
  });
  doc.x = MARGIN_X;
}

/** The top findings for this audience, most important first. */
export function findingsSection(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  section: SectionOf<"findings">,
): void {
  const { doc } = ctx;
  // The completeness findings are on page one already (completenessNotice).
  const mine = findingsFor(
    ctx.findings.filter((f) => f.topic !== "completeness" && f.variation !== true),
    ctx.template,
    section.top,
  );
  if (mine.length === 0) {
    paragraph(ctx, sect, "Nothing crossed a threshold this period: no figure moved enough to report.", {
      colour: MUTED,
    });
    return;
  }
  for (const finding of mine) {
    ensureSpace(doc, 30);
    sect.add(
      doc.struct("P", {}, () => {
        const label = `${finding.severity.charAt(0).toUpperCase()}${finding.severity.slice(1)}: `;
        doc.font(FONT.bold).fontSize(TYPE.body).fillColor(SEVERITY_COLOURS[finding.severity]);
        if (isPlainText(finding.text)) {
          doc.text(label, MARGIN_X, doc.y, { continued: true, width: contentWidth(doc) });
          doc.font(FONT.body).fillColor(INK).text(visible(finding.text));
        } else {
          // Text in another script (a shopper's words) is laid out on its own, under its label.
          doc.text(label, MARGIN_X, doc.y, { width: contentWidth(doc) });
          drawText(doc, finding.text, MARGIN_X, doc.y, contentWidth(doc), { size: TYPE.body, color: INK });
        }
      }),
    );
    doc.moveDown(0.3);
  }
}

/** A chart as a tagged figure with alt text written from its data. */
export async function chartSection(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  section: SectionOf<"chart">,
): Promise<void> {
  const { doc } = ctx;
  const built = buildChart(section, ctx.results.get(section.metric), ctx.period);
  if (built === null) {
    paragraph(ctx, sect, NO_DATA, { colour: MUTED });
    return;
  }
  const width = Math.round(contentWidth(doc));
  const png = await renderChartPng(built.config, width, section.height);
  ctx.charts.push({ name: `${ctx.audience}-${ctx.charts.length + 1}-${section.chart}`, png });
  ensureSpace(doc, section.height + 10);
  const y = doc.y;
  sect.add(
    doc.struct("Figure", { alt: built.alt }, () => {
      doc.image(png, MARGIN_X, y, { width, height: section.height });
    }),
  );
  doc.x = MARGIN_X;
  doc.y = y + section.height + 6;
  for (const note of metricNotes(section.metric, ctx.results))
    paragraph(ctx, sect, note, { colour: MUTED, size: TYPE.note });
  if (section.note) paragraph(ctx, sect, section.note, { colour: MUTED, size: TYPE.note });
}

/** A table of one metric, top N rows, with what it leaves out and where that is (table-view.ts). */
export function tableSection(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  section: SectionOf<"table">,
): void {
  const view = tableView(section, ctx.results, ctx.currency);
  if (view === null) {
    paragraph(ctx, sect, NO_DATA, { colour: MUTED });
    return;
  }
  if (view.rows.length > 0) drawTable(ctx.doc, sect, view.columns, view.rows);
  ctx.doc.moveDown(0.3);
  for (const note of view.notes) paragraph(ctx, sect, note, { colour: MUTED, size: TYPE.note });
  if (section.note) paragraph(ctx, sect, section.note, { colour: MUTED, size: TYPE.note });
}

export function textSection(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  section: SectionOf<"text">,
): void {
  for (const text of section.text.split(/\n\s*\n/)) {
    paragraph(ctx, sect, text.replace(/\s+/g, " ").trim());
    ctx.doc.moveDown(0.3);
  }
}

/** What the report stands on: files and rows per source, and the first rejected rows. */
export function dataQualitySection(
  ctx: SectionContext,
  sect: PDFKit.PDFStructureElement,
  section: SectionOf<"data_quality">,
): void {
  const { doc } = ctx;
  if (section.detail === "summary") {
    paragraph(ctx, sect, dataQualitySummary(ctx));
    return;
  }
  drawTable(
    doc,
    sect,
    [
      { label: "Source", numeric: false },
      { label: "Files", numeric: true },
      { label: "Rows read", numeric: true },
      { label: "Accepted", numeric: true },
      { label: "Rejected", numeric: true },
    ],
    ctx.sources.map((s) => [
      s.source,
      formatCount(s.files.length),
      formatCount(s.rows_read),
      formatCount(s.rows_accepted),
      s.rows_read === 0
        ? "0"
        : `${formatCount(s.rows_rejected)} (${formatPercent(s.rows_rejected / s.rows_read, 2)})`,
    ]),
  );
  doc.moveDown(0.4);
  paragraph(
    ctx,
    sect,
    `Rejected rows are left out of every figure. A source with more than ${formatPercent(ctx.rejectLimit)} of its rows rejected stops the report. ` +
      "Every rejected row is listed in rejects.csv beside this report; the first ones follow.",
    { colour: MUTED, size: TYPE.note },
  );
  doc.moveDown(0.3);
  for (const s of ctx.sources.filter((x) => x.rejects.length > 0)) {
    ensureSpace(doc, 40);
    sect.add(
      doc.struct("H3", {}, () => {
        doc
          .font(FONT.bold)
          .fontSize(TYPE.body)
          .fillColor(INK)
          .text(`${s.source}: ${formatCount(s.rows_rejected)} rejected`, MARGIN_X, doc.y, {
            width: contentWidth(doc),
          });
      }),
    );
    const lines = s.rejects.slice(0, 10).map((r) => `${r.file}:${r.line}: ${r.reason}`);
    if (s.rows_rejected > lines.length)
      lines.push(`… and ${formatCount(s.rows_rejected - lines.length)} more`);
    paragraph(ctx, sect, lines.join("\n"), { colour: MUTED, size: TYPE.tile });
    doc.moveDown(0.3);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * One paragraph on what the figures stand on: rows read, the share that could not be read
 * (named per source where there were any), and where the list is. No rejected value is quoted:
 * a "NaN" from a broken row never reads as a figure here.
 */
function dataQualitySummary(ctx: SectionContext): string {
  const read = ctx.sources.reduce((n, s) => n + s.rows_read, 0);
  const rejected = ctx.sources.reduce((n, s) => n + s.rows_rejected, 0);
  const withData = ctx.sources.filter((s) => s.files.length > 0).length;
  const lead = `These figures come from ${formatCount(read)} rows in ${withData} of ${ctx.sources.length} sources.`;
  if (rejected === 0) return `${lead} Every row could be read.`;
  const per = ctx.sources
    .filter((s) => s.rows_rejected > 0)
    .map(
      (s) =>
        `${s.source} ${formatCount(s.rows_rejected)} (${formatPercent(s.rows_rejected / s.rows_read, 2)})`,
    )
    .join(", ");
  return (
    `${lead} ${formatCount(rejected)} rows (${formatPercent(rejected / Math.max(read, 1), 2)}) could not be read and are left out of every figure: ${per}. ` +
    "The IT report's appendix lists the first of them, and rejects.csv beside this report every one."
  );
}
