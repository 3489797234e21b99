import bidiModule from "bidi-js";
import { type ChainFont, fontChain, parsedFont } from "../fonts.js";
import { FONT } from "./layout.js";
import type { TextStyle } from "./text.js";

/**
 * The layout behind text.ts: fonts per grapheme, lines broken at word boundaries, runs put in
 * visual order.
 */

interface Piece {
  text: string;
  font: ChainFont;
  /** Bidi embedding level: odd is right to left. */
  level: number;
  width: number;
}

export interface Line {
  /** In visual order, as drawn. */
  pieces: Piece[];
  width: number;
  /** The line's text in logical order, as it reads. */
  logical: string;
}

// bidi-js is CommonJS: Node hands over its factory as the default export, while its typings
// describe an ES module whose default export is that factory.
const bidi = (bidiModule as unknown as typeof bidiModule.default)();

/** Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko… and their presentation forms). */
export const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|\uD802[\uDC00-\uDFFF]|\uD803[\uDC00-\uDE7F]/;
const GRAPHEMES = new Intl.Segmenter("und", { granularity: "grapheme" });
const WORDS = new Intl.Segmenter("und", { granularity: "word" });
/** Code points that take no glyph of their own (joiners, variation selectors). */
const INVISIBLE = new Set([0x200c, 0x200d, 0xfe0e, 0xfe0f]);

export function primaryFont() {
  return parsedFont(fontChain()[0] as ChainFont, "regular");
}

/**
 * The language of a line where its script tells it for sure (kana: Japanese; Hangul: Korean;
 * Thai; Hebrew), for the span's /Lang; null where it does not (Arabic script is also Persian and
 * Urdu, Han also Chinese and Japanese, Devanagari also Marathi and Nepali, Latin anything).
 */
export function languageOf(text: string): string | null {
  if (/[\u3040-\u30ff]/.test(text)) return "ja";
  if (/[\uac00-\ud7af\u1100-\u11ff]/.test(text)) return "ko";
  if (/[\u0e00-\u0e7f]/.test(text)) return "th";
  if (/[\u0590-\u05ff]/.test(text)) return "he";
  return null;
}

/** Text the bundled font has every glyph of, with no right-to-left letter: pdfkit sets it as is. */
export function isPlain(text: string): boolean {
  if (RTL.test(text)) return false;
  const primary = fontChain()[0];
  if (primary === undefined) return true;
  const font = parsedFont(primary, "regular");
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    if (cp >= 0x20 && !font.hasGlyphForCodePoint(cp)) return false;
  }
  return true;
}

/** Scripts whose own font is preferred over the bundled one, which covers them less well. */
function preferredFont(cp: number): string | null {
  if ((cp >= 0x0600 && cp <= 0x08ff) || (cp >= 0xfb50 && cp <= 0xfeff)) return "arabic";
  if ((cp >= 0x0590 && cp <= 0x05ff) || (cp >= 0xfb1d && cp <= 0xfb4f)) return "hebrew";
  return null;
}

const NEUTRAL = /^[\p{P}\p{S}\p{Zs}]+$/u;

function hasGlyphs(font: ChainFont, grapheme: string): boolean {
  const parsed = parsedFont(font, "regular");
  return [...grapheme].every((c) => parsed.hasGlyphForCodePoint(c.codePointAt(0) as number));
}

/** The first font of the chain with every glyph of a grapheme (else the first font). */
function fontFor(grapheme: string): ChainFont {
  const chain = fontChain();
  const points = [...grapheme].map((c) => c.codePointAt(0) as number).filter((cp) => !INVISIBLE.has(cp));
  const preferred = points.length > 0 ? preferredFont(points[0] as number) : null;
  const ordered = preferred === null ? chain : [...chain.filter((f) => f.key === preferred), ...chain];
  for (const font of ordered) {
    const parsed = parsedFont(font, "regular");
    if (points.every((cp) => parsed.hasGlyphForCodePoint(cp))) return font;
  }
  return chain[0] as ChainFont;
}

const registered = new WeakMap<PDFKit.PDFDocument, Set<string>>();

/** Selects a chain font in a document, registering it there the first time it is used. */
export function setFont(doc: PDFKit.PDFDocument, font: ChainFont, style: TextStyle): void {
  const weight = style.bold ? "bold" : "regular";
  const name = font === fontChain()[0] ? (style.bold ? FONT.bold : FONT.body) : `${font.key}-${weight}`;
  let names = registered.get(doc);
  if (names === undefined) {
    names = new Set();
    registered.set(doc, names);
  }
  if (!names.has(name) && name !== FONT.body && name !== FONT.bold) {
    // pdfkit takes a parsed fontkit font as a source; its typings only list paths and buffers.
    doc.registerFont(name, parsedFont(font, weight) as unknown as PDFKit.Mixins.PDFFontSource);
    names.add(name);
  }
  doc.font(name).fontSize(style.size);
}

export function plainLineHeight(doc: PDFKit.PDFDocument, style: TextStyle): number {
  doc.font(style.bold ? FONT.bold : FONT.body).fontSize(style.size);
  return doc.currentLineHeight(true);
}

/**
 * Breaks text into lines no wider than `width` at word boundaries (a word wider than a line is
 * cut between graphemes), each line in visual order.
 */
export function layoutLines(doc: PDFKit.PDFDocument, text: string, width: number, style: TextStyle): Line[] {
  const levels = bidi.getEmbeddingLevels(text).levels;
  const lines: Piece[][] = [];
  let line: Piece[] = [];
  let lineWidth = 0;
  const push = (pieces: Piece[]) => {
    const w = pieces.reduce((sum, p) => sum + p.width, 0);
    const blank = pieces.every((p) => p.text.trim() === "");
    if (lineWidth + w > width && line.length > 0 && !blank) {
      lines.push(line);
      line = [];
      lineWidth = 0;
    }
    if (line.length === 0 && blank) return; // no space at the start of a line
    line.push(...pieces);
    lineWidth += w;
  };
  for (const paragraph of splitParagraphs(text)) {
    for (const { segment, index } of WORDS.segment(paragraph.text)) {
      const pieces = piecesOf(doc, segment, paragraph.start + index, levels, style);
      const w = pieces.reduce((sum, p) => sum + p.width, 0);
      if (w <= width || pieces.every((p) => p.text.trim() === "")) push(pieces);
      else
        for (const part of cutToWidth(doc, segment, paragraph.start + index, levels, style, width))
          push(part);
    }
    lines.push(line);
    line = [];
    lineWidth = 0;
  }
  return lines.map((pieces) => visualLine(pieces));
}

function splitParagraphs(text: string): { text: string; start: number }[] {
  const result: { text: string; start: number }[] = [];
  let start = 0;
  for (const part of text.split("\n")) {
    result.push({ text: part, start });
    start += part.length + 1;
  }
  return result;
}

/** A word cut between graphemes into parts that each fit a line. */
function cutToWidth(
  doc: PDFKit.PDFDocument,
  word: string,
  offset: number,
  levels: Uint8Array,
  style: TextStyle,
  width: number,
): Piece[][] {
  const parts: Piece[][] = [];
  let current = "";
  let currentStart = 0;
  for (const { segment, index } of GRAPHEMES.segment(word)) {
    const next = current + segment;
    const w = piecesOf(doc, next, offset + currentStart, levels, style).reduce((s, p) => s + p.width, 0);
    if (w > width && current !== "") {
      parts.push(piecesOf(doc, current, offset + currentStart, levels, style));
      current = segment;
      currentStart = index;
    } else current = next;
  }
  if (current !== "") parts.push(piecesOf(doc, current, offset + currentStart, levels, style));
  return parts;
}

/** A stretch of text (in logical order) as runs of one font and one bidi level, measured. */
function piecesOf(
  doc: PDFKit.PDFDocument,
  text: string,
  offset: number,
  levels: Uint8Array,
  style: TextStyle,
): Piece[] {
  const pieces: Piece[] = [];
  for (const { segment, index } of GRAPHEMES.segment(text)) {
    const last = pieces.at(-1);
    // Punctuation and spaces stay in the font of the run they follow when it has them, so a
    // right-to-left word keeps its full stop and a CJK sentence its spaces.
    const neutral = NEUTRAL.test(segment) && last !== undefined;
    const font = neutral && hasGlyphs(last.font, segment) ? last.font : fontFor(segment);
    const level = levels[offset + index] ?? 0;
    if (last !== undefined && last.font === font && last.level === level) last.text += segment;
    else pieces.push({ text: segment, font, level, width: 0 });
  }
  for (const piece of pieces) {
    setFont(doc, piece.font, style);
    piece.width = doc.widthOfString(piece.text);
  }
  return pieces;
}

/**
 * A line's runs in visual order (rule L2: from the highest level down to the lowest odd one,
 * reverse every sequence at that level or above). Inside a right-to-left run, fontkit already
 * draws a right-to-left word's glyphs from right to left; the words, and the characters of
 * anything written in no right-to-left script (punctuation, symbols), are reversed here, and
 * brackets mirrored.
 */
function visualLine(pieces: Piece[]): Line {
  while (pieces.length > 0 && (pieces.at(-1) as Piece).text.trim() === "") pieces.pop();
  const logical = pieces.map((p) => p.text).join("");
  const max = Math.max(0, ...pieces.map((p) => p.level));
  const lowestOdd = Math.min(...pieces.map((p) => p.level).filter((l) => l % 2 === 1), max + 1);
  const ordered = [...pieces];
  for (let level = max; level >= lowestOdd; level--) {
    for (let i = 0; i < ordered.length; ) {
      if ((ordered[i] as Piece).level < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < ordered.length && (ordered[j] as Piece).level >= level) j++;
      const reversed = ordered.slice(i, j).reverse();
      ordered.splice(i, j - i, ...reversed);
      i = j;
    }
  }
  const visual = ordered.map((p) => ({ ...p, text: forFontkit(p.text, p.level % 2 === 1) }));
  return { pieces: visual, width: visual.reduce((sum, p) => sum + p.width, 0), logical };
}

const MIRRORED: Record<string, string> = {
  "(": ")",
  ")": "(",
  "[": "]",
  "]": "[",
  "{": "}",
  "}": "{",
  "<": ">",
  ">": "<",
  "«": "»",
  "»": "«",
};

/**
 * A run's text as pdfkit must get it to draw it in visual order. pdfkit sets word after word
 * from left to right, and fontkit reverses the glyphs of a word in a right-to-left script (its
 * letters, also Arabic-Indic digits). A right-to-left run therefore has its words reversed, and
 * its words in no right-to-left script (punctuation) reversed character by character, brackets
 * mirrored; a left-to-right run has its right-to-left-script words (digits) pre-reversed.
 */
function forFontkit(text: string, rightToLeft: boolean): string {
  const words = text.split(/( +)/);
  return (rightToLeft ? words.reverse() : words)
    .map((word) => (RTL.test(word) === rightToLeft ? word : reverseGraphemes(word, rightToLeft)))
    .join("");
}

function reverseGraphemes(word: string, mirror: boolean): string {
  return [...GRAPHEMES.segment(word)]
    .map((g) => (mirror ? (MIRRORED[g.segment] ?? g.segment) : g.segment))
    .reverse()
    .join("");
}
