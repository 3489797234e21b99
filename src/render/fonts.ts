import { fileURLToPath } from "node:url";

/**
 * The bundled font (DejaVu Sans: Latin, Greek, Cyrillic), so documents and charts look the same
 * on every machine and every character a shopper writes can be shown. Resolved from this module's
 * location, which works from `src/` (tsx) and from `dist/` (compiled).
 */
export const FONTS = {
  regular: fileURLToPath(new URL("../../assets/fonts/DejaVuSans.ttf", import.meta.url)),
  bold: fileURLToPath(new URL("../../assets/fonts/DejaVuSans-Bold.ttf", import.meta.url)),
};
