import { visible } from "../../util/visible-text.js";

/**
 * Chart labels that must be read in full: wrapped onto lines instead of cut. chart.js draws a
 * legend label given as an array of strings as one line per element.
 */

/**
 * `text` followed by `suffix` (kept whole on the last line), in lines of at most `width`
 * characters, broken at spaces; a word longer than a line is broken after a `/` or `-` where one
 * falls, else at the width. One line comes back as a plain string.
 */
export function wrapLabel(text: string, suffix: string, width: number): string | string[] {
  // Labels can be the data's own (pages, reasons): its control and bidi characters are shown.
  const words = visible(text)
    .split(/\s+/)
    .filter((w) => w !== "")
    .flatMap((w) => splitLong(w, width));
  if (suffix !== "") words.push(suffix);
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.length === 1 ? (lines[0] as string) : lines;
}

function splitLong(word: string, width: number): string[] {
  const parts: string[] = [];
  let rest = word;
  while (rest.length > width) {
    const head = rest.slice(0, width);
    const at = Math.max(head.lastIndexOf("/"), head.lastIndexOf("-"));
    const cut = at > 0 ? at + 1 : width;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}
