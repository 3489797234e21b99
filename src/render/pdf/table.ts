import { HEADER_FILL, INK, MARGIN_X, RULE, spaceLeft, TYPE } from "./layout.js";
import { drawText, heightOfText, type TextStyle, widthOfText } from "./text.js";

export interface TableColumn {
  label: string;
  /** Numbers read best right-aligned. */
  numeric: boolean;
}

const FONT_SIZE = TYPE.table;
const PADDING = 3;
/** A cell longer than this is cut with an ellipsis, so one row never outgrows a page. */
const MAX_CELL_CHARS = 400;

const BODY: TextStyle = { size: FONT_SIZE, color: INK };
const HEAD: TextStyle = { size: FONT_SIZE, color: INK, bold: true };

/**
 * A table tagged as one `Table` element however many pages it runs over: a header row of `TH`
 * cells (scope Column), then a `TR` of `TD` cells per row. When a row would not fit, a page is
 * added and the header drawn again there as a page artifact (a screen reader reads it once).
 * Fills and rules are artifacts too, so no layout attribute rides on the table's structure.
 * Cell text in any script (text.ts). Column widths follow the content: numbers keep their width,
 * text shares the rest.
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
  const labels = columns.map((c) => c.label);
  const table = doc.struct("Table");
  parent.add(table);

  const headerHeight = rowHeight(doc, labels, widths, HEAD);
  if (spaceLeft(doc) < headerHeight + rowHeight(doc, cells[0] ?? labels, widths, BODY)) doc.addPage();
  const header = doc.struct("TR");
  table.add(header);
  drawRow(doc, header, columns, labels, widths, headerHeight, "TH");
  header.end();

  for (const row of cells) {
    const height = rowHeight(doc, row, widths, BODY);
    if (spaceLeft(doc) < height) {
      // A row taller than a whole page is still drawn: it runs past the bottom margin.
      doc.addPage();
      drawRow(doc, null, columns, labels, widths, headerHeight, "TH");
    }
    const tr = doc.struct("TR");
    table.add(tr);
    drawRow(doc, tr, columns, row, widths, height, "TD");
    tr.end();
  }
  table.end();
  doc.x = MARGIN_X;
}

// ---------------------------------------------------------------------------------------------

/**
 * One row at the cursor: its fill and rules as an artifact, then each cell's text as a `TH` or
 * `TD` under `tr`, or, with no `tr` (the header repeated on a new page), as an artifact.
 */
function drawRow(
  doc: PDFKit.PDFDocument,
  tr: PDFKit.PDFStructureElement | null,
  columns: TableColumn[],
  row: string[],
  widths: number[],
  height: number,
  kind: "TH" | "TD",
): void {
  const top = doc.y;
  const total = widths.reduce((a, b) => a + b, 0);
  doc.markContent("Artifact", { type: "Layout" });
  if (kind === "TH") doc.rect(MARGIN_X, top, total, height).fill(HEADER_FILL);
  doc.lineWidth(0.5).strokeColor(RULE);
  let x = MARGIN_X;
  for (const w of widths) {
    doc.rect(x, top, w, height).stroke();
    x += w;
  }
  doc.endMarkedContent();

  const style = kind === "TH" ? HEAD : BODY;
  x = MARGIN_X;
  row.forEach((text, i) => {
    const width = widths[i] ?? 0;
    const column = columns[i];
    const left = x;
    const draw = () => {
      drawText(doc, text, left + PADDING, top + PADDING, width - 2 * PADDING, {
        ...style,
        align: column?.numeric ? "right" : "left",
      });
    };
    if (tr === null) {
      doc.markContent("Artifact", { type: "Pagination" });
      draw();
      doc.endMarkedContent();
    } else {
      const cell = doc.struct(kind, {}, draw);
      // PDF/UA: a header cell says which cells it heads.
      if (kind === "TH") structDictionary(cell).A = { O: "Table", Scope: "Column" };
      tr.add(cell);
    }
    x += width;
  });
  doc.x = MARGIN_X;
  doc.y = top + height;
}

/** The structure element's PDF dictionary, which pdfkit's typings do not show. */
function structDictionary(element: PDFKit.PDFStructureElement): Record<string, unknown> {
  return (element as unknown as { dictionary: { data: Record<string, unknown> } }).dictionary.data;
}

function rowHeight(doc: PDFKit.PDFDocument, row: string[], widths: number[], style: TextStyle): number {
  const height = Math.max(
    ...row.map((text, i) => heightOfText(doc, text || " ", (widths[i] ?? 50) - 2 * PADDING, style)),
  );
  return height + 2 * PADDING + 1;
}

function columnWidths(doc: PDFKit.PDFDocument, columns: TableColumn[], rows: string[][]): number[] {
  const available = doc.page.width - 2 * MARGIN_X;
  const sample = rows.slice(0, 200);
  const natural = columns.map((column, i) => {
    let width = widthOfText(doc, column.label, HEAD);
    for (const row of sample) width = Math.max(width, widthOfText(doc, row[i] ?? "", BODY));
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
