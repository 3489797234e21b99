import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { create, type Font } from "fontkit";

/**
 * The bundled font (DejaVu Sans: Latin, Greek, Cyrillic), so documents and charts look the same
 * on every machine and every character a shopper writes can be shown. Resolved from this module's
 * location, which works from `src/` (tsx) and from `dist/` (compiled).
 */
export const FONTS = {
  regular: fileURLToPath(new URL("../../assets/fonts/DejaVuSans.ttf", import.meta.url)),
  bold: fileURLToPath(new URL("../../assets/fonts/DejaVuSans-Bold.ttf", import.meta.url)),
};

let parsed: { regular: Font; bold: Font } | null = null;

/**
 * The fonts parsed once per process. pdfkit would otherwise parse each 700 KB file again for
 * every document (about 190 ms a font); it accepts a parsed fontkit font and still makes its own
 * subset per document, so sharing the parse changes no byte of the output.
 */
export function parsedFonts(): { regular: Font; bold: Font } {
  parsed ??= {
    regular: create(readFileSync(FONTS.regular)) as Font,
    bold: create(readFileSync(FONTS.bold)) as Font,
  };
  return parsed;
}
