/**
 * Characters from the data that must not reach a reader raw: C0 controls but tab and line feed,
 * DEL, C1 controls (a terminal or mail client may act on them; a PDF shows nothing or garbage),
 * and the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder
 * what follows them: "Trojan Source" text that reads differently from what it is.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Untrusted text as it may be shown: each hidden character becomes its `\u202E`-style escape, so
 * a reader sees that it was there and what it was. Everything else is left alone, so applying it
 * twice changes nothing (the escapes are plain ASCII).
 */
export function visible(text: string): string {
  return text.replace(HIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}
