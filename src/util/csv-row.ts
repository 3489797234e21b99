/** One CSV row (RFC 4180): fields with a comma, quote or newline are quoted, quotes doubled. */
export function csvRow(fields: readonly (string | number)[]): string {
  return fields
    .map((field) => {
      const text = String(field);
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(",");
}
