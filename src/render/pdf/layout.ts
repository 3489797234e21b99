/** Page geometry, type and colours of every report. */
export const MARGIN_X = 48;
export const MARGIN_TOP = 62;
export const MARGIN_BOTTOM = 62;
export const INK = "#1f2933";
export const MUTED = "#52606d";
export const RULE = "#cbd2d9";
export const HEADER_FILL = "#e4e7eb";
export const GOOD = "#007a4d";
export const BAD = "#c0392b";
export const NEUTRAL = "#52606d";
export const SEVERITY_COLOURS = { critical: "#c0392b", warning: "#b35c00", info: "#0072B2" } as const;

export const FONT = { body: "body", bold: "bold" } as const;

/**
 * Type sizes in points. Managers read the weekly PDF on a phone, where a page is about 400 px
 * wide: body text is at least 10 pt, tables 9, and nothing is below 8.
 */
export const TYPE = { body: 10, note: 9, table: 9, tile: 8.5, furniture: 8 } as const;

/** Room left on the page below the cursor. */
export function spaceLeft(doc: PDFKit.PDFDocument): number {
  return doc.page.height - doc.page.margins.bottom - doc.y;
}

/** Starts a new page unless `height` points still fit below the cursor. */
export function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (spaceLeft(doc) < height) doc.addPage();
}

export function contentWidth(doc: PDFKit.PDFDocument): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}
