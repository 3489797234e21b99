import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inflateSync } from "node:zlib";

/**
 * Reading PDFs back as a reader's tools do: poppler's pdftotext, pdfinfo, pdffonts and pdftoppm
 * (installed by scripts/setup.sh). Functions take a file, or a buffer written to a temp file.
 */
function withFile<T>(pdf: string | Buffer, use: (file: string) => T): T {
  if (typeof pdf === "string") return use(pdf);
  const dir = mkdtempSync(path.join(tmpdir(), "reports-pdf-"));
  try {
    const file = path.join(dir, "doc.pdf");
    writeFileSync(file, pdf);
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pdfText(pdf: string | Buffer, page?: number): string {
  const pages = page === undefined ? [] : ["-f", String(page), "-l", String(page)];
  return withFile(pdf, (file) =>
    execFileSync("pdftotext", ["-layout", ...pages, file, "-"], { encoding: "utf8" }),
  );
}

/** Text in reading order (no -layout), white space folded: a label wrapped in its box reads whole. */
export function pdfReadingText(pdf: string | Buffer, page?: number): string {
  const pages = page === undefined ? [] : ["-f", String(page), "-l", String(page)];
  return withFile(pdf, (file) =>
    execFileSync("pdftotext", [...pages, file, "-"], { encoding: "utf8" }),
  ).replace(/\s+/g, " ");
}

export function pdfInfo(pdf: string | Buffer): Record<string, string> {
  const text = withFile(pdf, (file) => execFileSync("pdfinfo", [file], { encoding: "utf8" }));
  return Object.fromEntries(
    text
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
  );
}

export function pdfFonts(pdf: string | Buffer): string {
  return withFile(pdf, (file) => execFileSync("pdffonts", [file], { encoding: "utf8" }));
}

/** Outline (bookmark) titles, in order: pdfkit writes them as plain literal strings. */
export function pdfOutline(pdf: string | Buffer): string[] {
  const raw = (typeof pdf === "string" ? readFileSync(pdf) : pdf).toString("latin1");
  return [...raw.matchAll(/\/Parent \d+ 0 R\n\/Title \(((?:[^()\\]|\\.)*)\)/g)].map((m) =>
    (m[1] as string).replace(/\\(.)/g, "$1"),
  );
}

/** Share of a page's pixels that are not near-white, from a greyscale render at 30 dpi. */
export function pageInk(pdf: string | Buffer, page: number): number {
  return withFile(pdf, (file) => {
    const out = path.join(path.dirname(file), "page");
    execFileSync("pdftoppm", [
      "-gray",
      "-r",
      "30",
      "-f",
      String(page),
      "-l",
      String(page),
      "-singlefile",
      file,
      out,
    ]);
    const pgm = readFileSync(`${out}.pgm`);
    // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte a pixel.
    const header = pgm
      .subarray(0, 40)
      .toString("latin1")
      .match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
    if (header === null) throw new Error("not a PGM image");
    const pixels = pgm.subarray(header[0].length);
    let inked = 0;
    for (const value of pixels) if (value < 200) inked += 1;
    return inked / pixels.length;
  });
}

/** Text without the quoted raw values of rejected rows, which may legitimately read "NaN". */
export function withoutQuotedValues(text: string): string {
  return text.replace(/"[^"\n]*"/g, '""');
}

/**
 * Glyph IDs drawn on the pages, from the content streams: every hex string shown inside a text
 * object. pdfkit writes embedded fonts with Identity-H, two bytes a glyph, so glyph 0 (.notdef,
 * the empty box a font draws for a character it lacks) is `0000`.
 */
export function drawnGlyphIds(pdf: string | Buffer): number[] {
  const raw = typeof pdf === "string" ? readFileSync(pdf) : pdf;
  const ids: number[] = [];
  const text = raw.toString("latin1");
  for (const match of text.matchAll(/\/Filter \/FlateDecode[^>]*>>\nstream\n/g)) {
    const start = (match.index as number) + match[0].length;
    const end = text.indexOf("\nendstream", start);
    let content: string;
    try {
      content = inflateSync(raw.subarray(start, end)).toString("latin1");
    } catch {
      continue; // not a deflated content stream (an image, a font program…)
    }
    for (const block of content.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)) {
      for (const hex of (block[1] as string).matchAll(/<([0-9a-fA-F]+)>/g)) {
        const digits = hex[1] as string;
        for (let i = 0; i + 4 <= digits.length; i += 4) ids.push(Number.parseInt(digits.slice(i, i + 4), 16));
      }
    }
  }
  return ids;
}

export interface StructElement {
  /** The object number. */
  ref: number;
  type: string;
  /** The element's dictionary as pdfkit wrote it (uncompressed), for attribute checks. */
  dict: string;
  /** Child elements, in order (marked-content leaves left out). */
  children: StructElement[];
}

/**
 * The structure tree of a tagged PDF, read from the object dictionaries (pdfkit writes them
 * uncompressed): every element from the StructTreeRoot down, with its type and children.
 */
export function structTree(pdf: string | Buffer): StructElement {
  const raw = (typeof pdf === "string" ? readFileSync(pdf) : pdf).toString("latin1");
  const objects = new Map<number, string>();
  for (const m of raw.matchAll(/(\d+) 0 obj\n(<<[\s\S]*?>>)\nendobj/g))
    objects.set(Number(m[1]), m[2] as string);
  const rootRef = [...objects].find(([, dict]) => /\/Type \/StructTreeRoot/.test(dict))?.[0];
  if (rootRef === undefined) throw new Error("no StructTreeRoot: not a tagged PDF");
  const build = (ref: number): StructElement => {
    const dict = objects.get(ref) ?? "";
    const type = dict.match(/\/S \/(\w+)/)?.[1] ?? "StructTreeRoot";
    const kids = dict.match(/\/K (\[[^\]]*\]|\d+ 0 R)/)?.[1] ?? "";
    const children = [...kids.matchAll(/(\d+) 0 R/g)]
      .map((k) => Number(k[1]))
      .filter((k) => /\/S \//.test(objects.get(k) ?? ""))
      .map(build);
    return { ref, type, dict, children };
  };
  return build(rootRef);
}

/** Every element of a tree, depth first. */
export function structElements(root: StructElement): StructElement[] {
  return [root, ...root.children.flatMap(structElements)];
}
