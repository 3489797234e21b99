import { FONT, HEADER_FILL, INK, MARGIN_X, RULE, spaceLeft } from "./layout.js";

export interface TableColumn {
  label: string;
  /** Numbers read best right-aligned. */
  numeric: boolean;
}

const FONT_SIZE = 8;
const PADDING = 3;
/** A cell longer than this is cut with an ellipsis, so one row never outgrows a page. */
const MAX_CELL_CHARS = 400;

/**
 * A table through pdfkit's table support, with the header row repeated on every page it runs
 * onto: each row is measured first, and when it would not fit, the table is closed, a page
 * added and the table started again with its header. Cells are tagged (Table, TR, TH, TD) under
 * `parent`. Column widths follow the content: numbers keep their width, text shares the rest.
 */
export function drawTable(
  doc: PDFKit.PDFDocument,
  parent: PDFKit.PDFStructureElement,
  columns: TableColumn[],
  rows: string[][],
): void {
  const cells = rows.map((row) =>
    row.map((text) => (text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text)),
  );
  const widths = columnWidths(doc, columns, cells);
  const header = columns.map((c) => ({
    text: c.label,
    type: "TH" as const,
    font: { src: FONT.bold },
    backgroundColor: HEADER_FILL,
    align: alignOf(c),
  }));

  let table = start(doc, parent, widths);
  table.row(header);
  for (const row of cells) {
    const height = rowHeight(doc, row, widths, FONT.body);
    if (spaceLeft(doc) < height) {
      table.end();
      doc.addPage();
      table = start(doc, parent, widths);
      table.row(header);
      // A row taller than a whole page is still drawn: pdfkit clamps it to the page.
    }
    table.row(row.map((text, i) => ({ text, align: alignOf(columns[i]) })));
  }
  table.end();
  doc.x = MARGIN_X;
}

// ---------------------------------------------------------------------------------------------

function start(doc: PDFKit.PDFDocument, parent: PDFKit.PDFStructureElement, widths: number[]) {
  doc.font(FONT.body).fontSize(FONT_SIZE).fillColor(INK);
  const options = {
    position: { x: MARGIN_X, y: doc.y },
    columnStyles: widths,
    defaultStyle: { border: 0.5, borderColor: RULE, padding: PADDING },
    structParent: parent,
  };
  return doc.table(options as PDFKit.Mixins.TableOptions);
}

function alignOf(column: TableColumn | undefined) {
  return { x: column?.numeric ? ("right" as const) : ("left" as const), y: "top" as const };
}

function rowHeight(doc: PDFKit.PDFDocument, row: string[], widths: number[], font: string): number {
  doc.font(font).fontSize(FONT_SIZE);
  const height = Math.max(
    ...row.map((text, i) => doc.heightOfString(text || " ", { width: (widths[i] ?? 50) - 2 * PADDING })),
  );
  doc.font(FONT.body);
  return height + 2 * PADDING + 1;
}

function columnWidths(doc: PDFKit.PDFDocument, columns: TableColumn[], rows: string[][]): number[] {
  const available = doc.page.width - 2 * MARGIN_X;
  const sample = rows.slice(0, 200);
  const natural = columns.map((column, i) => {
    doc.font(FONT.bold).fontSize(FONT_SIZE);
    let width = doc.widthOfString(column.label);
    doc.font(FONT.body).fontSize(FONT_SIZE);
    for (const row of sample) width = Math.max(width, doc.widthOfString(row[i] ?? ""));
    return Math.max(36, width + 2 * PADDING + 2);
  });
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= available) {
    const spare = available - total;
    const text = columns.map((c, i) => (c.numeric ? 0 : (natural[i] as number)));
    const textTotal = text.reduce((a, b) => a + b, 0);
    return natural.map(
      (w, i) => w + (textTotal > 0 ? (spare * (text[i] as number)) / textTotal : spare / columns.length),
    );
  }
  // Too wide: numbers keep their width (up to a quarter of the page), text shares what is left.
  const numericWidths = natural.map((w, i) => (columns[i]?.numeric ? Math.min(w, available / 4) : 0));
  const left = Math.max(available - numericWidths.reduce((a, b) => a + b, 0), available / 3);
  const textNatural = natural.map((w, i) => (columns[i]?.numeric ? 0 : w));
  const textTotal = textNatural.reduce((a, b) => a + b, 0);
  const widths = natural.map((_, i) =>
    columns[i]?.numeric
      ? (numericWidths[i] as number)
      : (left * (textNatural[i] as number)) / (textTotal || 1),
  );
  const scale = available / widths.reduce((a, b) => a + b, 0);
  return widths.map((w) => w * scale);
}
