import type { Reject, SourceName, SourceSummary } from "../types.js";
import { csvRow } from "../util/csv-row.js";

/** rejects.csv: every reject kept, then a line saying how many more there were. */
export function rejectsCsv(
  rejects: { source: SourceName; reject: Reject }[],
  summaries: SourceSummary[],
): string {
  const lines = [csvRow(["source", "file", "line", "reason"])];
  for (const { source, reject } of rejects)
    lines.push(csvRow([source, neutralised(reject.file), reject.line, neutralised(reject.reason)]));
  const total = summaries.reduce((sum, s) => sum + s.rows_rejected, 0);
  if (total > rejects.length)
    lines.push(csvRow(["", "", "", `${total - rejects.length} more rejects not listed`]));
  return `${lines.join("\n")}\n`;
}

/**
 * A reason can start with the data's own text and a file name is whatever the export was called;
 * a spreadsheet opening the file runs a cell starting with = + - @ (or tab, CR) as a formula. As
 * OWASP's CSV injection advice says, a leading single quote makes it text.
 */
function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
