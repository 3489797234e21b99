import { visible } from "../../util/visible-text.js";
import { FONT } from "./layout.js";
import {
  isPlain,
  languageOf,
  layoutLines,
  plainLineHeight,
  primaryFont,
  RTL,
  setFont,
} from "./text-layout.js";

/**
 * Text in any script. pdfkit sets a string in one font and left to right; a shopper's comment
 * may be Japanese, Arabic or an emoji. Text the bundled font covers, written left to right, is
 * handed to pdfkit as it is. Anything else is laid out here: each grapheme goes to the first font
 * of the chain that has its glyphs (fonts.ts), lines break where Intl.Segmenter finds word
 * boundaries (so Chinese, Japanese and Thai, written without spaces, wrap too), and each line is
 * put in visual order by the Unicode bidirectional algorithm (bidi-js). fontkit shapes each word
 * (Arabic joining, Devanagari and Thai marks) and draws the glyphs of a right-to-left word from
 * right to left; the order of the words and runs is ours.
 */
export interface TextStyle {
  size: number;
  bold?: boolean;
  color?: string;
  align?: "left" | "right" | "center";
}

/** Draws `text` in a box `width` wide from (x, y); returns the height it took. */
export function drawText(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  width: number,
  style: TextStyle,
): number {
  // Table cells, findings and rejects quote the data: its control and bidi characters are shown
  // as escapes, never set raw (measuring below does the same, so the heights agree).
  text = visible(text);
  if (style.color !== undefined) doc.fillColor(style.color);
  if (isPlain(text)) {
    doc.font(style.bold ? FONT.bold : FONT.body).fontSize(style.size);
    const height = doc.heightOfString(text || " ", { width });
    doc.text(text, x, y, { width, align: style.align ?? "left" });
    return height;
  }
  const lines = layoutLines(doc, text, width, style);
  const lineHeight = plainLineHeight(doc, style);
  // Every font of a line sits on the bundled font's baseline, whatever its own ascender.
  const ascent = (primaryFont().ascent / primaryFont().unitsPerEm) * style.size;
  lines.forEach((line, i) => {
    const baseline = y + i * lineHeight + ascent;
    let left = x;
    if (style.align === "right") left = x + width - line.width;
    else if (style.align === "center") left = x + (width - line.width) / 2;
    // The line as it reads (logical order) for text extraction and screen readers; the glyphs
    // below are in visual order.
    const lang = languageOf(line.logical);
    // A right-to-left line gets no ActualText: poppler reverses an ActualText it finds in a
    // right-to-left script as if it were in visual order, and reads the glyphs right anyway.
    const actual = RTL.test(line.logical) ? {} : { actual: line.logical };
    doc.markContent("Span", { ...actual, ...(lang === null ? {} : { lang }) } as never);
    for (const piece of line.pieces) {
      setFont(doc, piece.font, style);
      doc.text(piece.text, left, baseline, { lineBreak: false, baseline: "alphabetic" });
      left += piece.width;
    }
    doc.endMarkedContent();
  });
  doc.x = x;
  doc.y = y + lines.length * lineHeight;
  return lines.length * lineHeight;
}

/** True when pdfkit sets this text as it is (the bundled font has it all, left to right). */
export function isPlainText(text: string): boolean {
  return isPlain(visible(text));
}

/** The height `drawText` would take. */
export function heightOfText(doc: PDFKit.PDFDocument, raw: string, width: number, style: TextStyle): number {
  const text = visible(raw);
  if (isPlain(text)) {
    doc.font(style.bold ? FONT.bold : FONT.body).fontSize(style.size);
    return doc.heightOfString(text || " ", { width });
  }
  return layoutLines(doc, text, width, style).length * plainLineHeight(doc, style);
}

/** The width of `text` on one line. */
export function widthOfText(doc: PDFKit.PDFDocument, raw: string, style: TextStyle): number {
  const text = visible(raw);
  if (isPlain(text)) {
    doc.font(style.bold ? FONT.bold : FONT.body).fontSize(style.size);
    return doc.widthOfString(text);
  }
  return Math.max(0, ...layoutLines(doc, text, Number.POSITIVE_INFINITY, style).map((l) => l.width));
}
