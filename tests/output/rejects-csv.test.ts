import { describe, expect, it } from "vitest";
import { rejectsCsv } from "../../src/output/rejects-csv.js";
import type { SourceSummary } from "../../src/types.js";

const summary = (rejected: number) => ({ rows_rejected: rejected }) as SourceSummary;

describe("rejects.csv", () => {
  // OWASP CSV injection: a spreadsheet runs a cell starting with = + - @ (or tab, CR) as a formula.
  it("prefixes a quote to every cell a spreadsheet would read as a formula, file names included", () => {
    const csv = rejectsCsv(
      [
        { source: "clicks", reject: { file: "=HYPERLINK(x).csv", line: 3, reason: "+cmd|' /C calc'!A0" } },
        { source: "clicks", reject: { file: "@a.csv", line: 4, reason: "-2+3" } },
        { source: "clicks", reject: { file: "a.csv", line: 5, reason: "\tx" } },
        { source: "clicks", reject: { file: "a.csv", line: 6, reason: "\rx" } },
        { source: "clicks", reject: { file: "a.csv", line: 7, reason: 'css: not a string ("=1")' } },
      ],
      [summary(5)],
    );
    expect(csv.split("\n")).toEqual([
      "source,file,line,reason",
      "clicks,'=HYPERLINK(x).csv,3,'+cmd|' /C calc'!A0",
      "clicks,'@a.csv,4,'-2+3",
      "clicks,a.csv,5,'\tx",
      'clicks,a.csv,6,"\'\rx"',
      'clicks,a.csv,7,"css: not a string (""=1"")"',
      "",
    ]);
  });
});
