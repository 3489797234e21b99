import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { create, type Font } from "fontkit";

/**
 * The fonts of every document and chart, as a fallback chain: each run of text is set in the
 * first font that has its glyphs. DejaVu Sans (bundled) comes first, so Latin, Greek and
 * Cyrillic text looks as it always has; Noto Sans Arabic, Hebrew, Devanagari and Thai, Noto Sans
 * CJK and Symbola (emoji and symbols, monochrome: a PDF cannot embed colour emoji glyphs) follow.
 * Those come from the Debian packages `scripts/setup.sh` installs (fonts-noto-core,
 * fonts-noto-cjk, fonts-symbola), so the same data gives the same bytes on every machine set up
 * that way; a font that is missing is left out of the chain (and its scripts would show as
 * boxes, which the tests catch).
 */
export interface ChainFont {
  /** The name documents register it under. */
  key: string;
  /** The family name charts ask the canvas for. */
  family: string;
  regular: FontFile;
  bold: FontFile;
}

interface FontFile {
  path: string;
  /** A font collection (.ttc) holds several fonts: the one to take, by PostScript name. */
  postscriptName?: string;
}

const BUNDLED = (file: string) => fileURLToPath(new URL(`../../assets/fonts/${file}`, import.meta.url));
const NOTO = "/usr/share/fonts/truetype/noto";
const NOTO_CJK = "/usr/share/fonts/opentype/noto";
const SYMBOLA = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf";

const noto = (script: string): Omit<ChainFont, "key"> => ({
  family: `Noto Sans ${script}`,
  regular: { path: `${NOTO}/NotoSans${script}-Regular.ttf` },
  bold: { path: `${NOTO}/NotoSans${script}-Bold.ttf` },
});

const CHAIN: ChainFont[] = [
  {
    key: "dejavu",
    family: "DejaVu Sans",
    regular: { path: BUNDLED("DejaVuSans.ttf") },
    bold: { path: BUNDLED("DejaVuSans-Bold.ttf") },
  },
  { key: "arabic", ...noto("Arabic") },
  { key: "hebrew", ...noto("Hebrew") },
  { key: "devanagari", ...noto("Devanagari") },
  { key: "thai", ...noto("Thai") },
  {
    key: "cjk",
    family: "Noto Sans CJK JP",
    regular: { path: `${NOTO_CJK}/NotoSansCJK-Regular.ttc`, postscriptName: "NotoSansCJKjp-Regular" },
    bold: { path: `${NOTO_CJK}/NotoSansCJK-Bold.ttc`, postscriptName: "NotoSansCJKjp-Bold" },
  },
  { key: "symbols", family: "Symbola", regular: { path: SYMBOLA }, bold: { path: SYMBOLA } },
];

/** The chain's fonts whose files are on this machine, in order. */
export function fontChain(): readonly ChainFont[] {
  available ??= CHAIN.filter((f) => existsSync(f.regular.path) && existsSync(f.bold.path));
  return available;
}
let available: ChainFont[] | null = null;

/** The bundled fonts' files (the first of the chain), for what needs a path. */
export const FONTS = { regular: BUNDLED("DejaVuSans.ttf"), bold: BUNDLED("DejaVuSans-Bold.ttf") };

const parsed = new Map<string, Font>();

/**
 * A chain font, parsed once per process and only when first needed (the CJK collection is 19 MB).
 * pdfkit accepts a parsed fontkit font and still makes its own subset per document, so sharing
 * the parse changes no byte of the output (and saves about 190 ms a font a document).
 */
export function parsedFont(font: ChainFont, weight: "regular" | "bold"): Font {
  const file = font[weight];
  const id = `${file.path}#${file.postscriptName ?? ""}`;
  let result = parsed.get(id);
  if (result === undefined) {
    const data = readFileSync(file.path);
    result = create(data, file.postscriptName) as Font;
    parsed.set(id, result);
  }
  return result;
}
