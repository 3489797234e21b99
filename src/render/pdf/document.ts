import PDFDocument from "pdfkit";
import type { Period } from "../../types.js";
import { formatDateTime, formatPeriod } from "../../util/format.js";
import { fontChain, parsedFont } from "../fonts.js";
import { FONT, INK, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, MUTED, RULE, TYPE } from "./layout.js";

export interface DocumentMeta {
  title: string;
  subtitle?: string | undefined;
  /** Who reads it, as they are called ("IT", "Managers"): never the configuration's key. */
  audience: string;
  period: Period;
  previous: Period;
  generatedAt: number;
  pageSize: "A4" | "Letter";
}

export interface ReportDocument {
  doc: PDFKit.PDFDocument;
  /** The root of the structure tree: every section's structure goes under it. */
  root: PDFKit.PDFStructureElement;
  done: Promise<Buffer>;
}

/**
 * A tagged PDF with the bundled font embedded, its metadata and language, and the report header
 * on page one. Everything that varies between runs comes from the run: CreationDate and the
 * document ID (pdfkit derives it from the metadata) use the generation time, so the same data and
 * generation time give the same bytes.
 */
export function openReport(meta: DocumentMeta): ReportDocument {
  const period = formatPeriod(meta.period.from, meta.period.to, meta.period.timezone);
  const generated = new Date(meta.generatedAt);
  const doc = new PDFDocument({
    size: meta.pageSize,
    margins: { top: MARGIN_TOP, bottom: MARGIN_BOTTOM, left: MARGIN_X, right: MARGIN_X },
    bufferPages: true,
    pdfVersion: "1.7",
    // PDF/UA-1: pdfkit writes the identification into the XMP metadata (its typings predate it).
    subset: "PDF/UA" as unknown as PDFKit.Mixins.PDFSubsets,
    tagged: true,
    lang: "en-GB",
    displayTitle: true,
    info: {
      Title: `${meta.title} — ${meta.period.id}`,
      Author: "shop-reports",
      Subject: `${meta.title} for ${meta.audience}: ${period}`,
      Keywords: `shop report, ${meta.audience}, ${meta.period.id}, ${meta.period.timezone}`,
      Creator: "shop-reports",
      Producer: "shop-reports (pdfkit)",
      CreationDate: generated,
      ModDate: generated,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const primary = fontChain()[0];
  if (primary === undefined) throw new Error("[render:fonts] the bundled font is missing");
  // pdfkit takes a parsed fontkit font as a source; its typings only list paths and buffers.
  doc.registerFont(FONT.body, parsedFont(primary, "regular") as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont(FONT.bold, parsedFont(primary, "bold") as unknown as PDFKit.Mixins.PDFFontSource);
  doc.font(FONT.body);
  const root = doc.struct("Document");
  doc.addStructure(root);
  coverHeader(doc, root, meta);
  return { doc, root, done };
}

/** Running headers and "Page X of Y" footers on every page (as artifacts), then the bytes. */
export function closeReport(report: ReportDocument, meta: DocumentMeta): Promise<Buffer> {
  const { doc, root } = report;
  const range = doc.bufferedPageRange();
  const runningTitle = `${meta.title} · ${meta.audience} · ${formatPeriod(meta.period.from, meta.period.to, meta.period.timezone)}`;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const { margins } = doc.page;
    const saved = margins.bottom;
    margins.bottom = 0;
    const width = doc.page.width - 2 * MARGIN_X;
    doc.markContent("Artifact", { type: "Pagination" });
    doc.font(FONT.body).fontSize(TYPE.furniture).fillColor(MUTED);
    if (i > range.start) {
      doc.text(runningTitle, MARGIN_X, 30, { width, lineBreak: false, ellipsis: true });
      doc
        .moveTo(MARGIN_X, 42)
        .lineTo(MARGIN_X + width, 42)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
    }
    const footerY = doc.page.height - 38;
    doc.text(
      `Generated ${formatDateTime(meta.generatedAt, meta.period.timezone)} (${meta.period.timezone})`,
      MARGIN_X,
      footerY,
      {
        width: width / 2,
        lineBreak: false,
      },
    );
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN_X + width / 2, footerY, {
      width: width / 2,
      align: "right",
      lineBreak: false,
    });
    doc.endMarkedContent();
    margins.bottom = saved;
  }
  root.end();
  doc.end();
  return report.done;
}

// ---------------------------------------------------------------------------------------------

function coverHeader(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, meta: DocumentMeta): void {
  const tz = meta.period.timezone;
  const width = doc.page.width - 2 * MARGIN_X;
  doc.y = 40;
  root.add(
    doc.struct("H1", {}, () => {
      doc.font(FONT.bold).fontSize(20).fillColor(INK).text(meta.title, MARGIN_X, doc.y, { width });
    }),
  );
  const lines = [
    ...(meta.subtitle ? [meta.subtitle] : []),
    `For: ${meta.audience}   ·   Period: ${formatPeriod(meta.period.from, meta.period.to, tz)} (${meta.period.id})`,
    `Compared with: ${formatPeriod(meta.previous.from, meta.previous.to, tz)}`,
    `Generated: ${formatDateTime(meta.generatedAt, tz)} (${tz})`,
  ];
  root.add(
    doc.struct("P", {}, () => {
      doc.font(FONT.body).fontSize(9).fillColor(MUTED);
      for (const line of lines) doc.text(line, MARGIN_X, doc.y, { width });
    }),
  );
  doc.moveDown(0.4);
  doc.markContent("Artifact", { type: "Layout" });
  doc
    .moveTo(MARGIN_X, doc.y)
    .lineTo(MARGIN_X + width, doc.y)
    .lineWidth(1)
    .strokeColor(RULE)
    .stroke();
  doc.endMarkedContent();
  doc.moveDown(0.8);
}
