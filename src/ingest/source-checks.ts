import type { SourceSummary } from "../types.js";
import { visible } from "../util/visible-text.js";

/**
 * Why a source cannot be reported on, one message each: a fatal problem of its files (a missing
 * required column, an unreadable file), or a rejected share over the limit.
 */
export function sourceProblems(summaries: SourceSummary[], rejectLimit: number): string[] {
  return [
    ...summaries.filter((s) => s.error !== null).map((s) => `${s.source}: ${s.error}`),
    ...rejectLimitFailures(summaries, rejectLimit),
  ];
}

/**
 * The sources whose rejected share passes the limit, each with a message naming the source, the
 * share and the first reasons. A share equal to the limit passes.
 */
export function rejectLimitFailures(summaries: SourceSummary[], limit: number): string[] {
  return summaries
    .filter((s) => s.rows_read > 0 && s.rows_rejected / s.rows_read > limit)
    .map((s) => {
      const share = ((s.rows_rejected / s.rows_read) * 100).toFixed(1);
      const first = s.rejects
        .slice(0, 3)
        // Printed on a terminal and in the run's error: the data's control characters as escapes.
        .map((r) => visible(`${r.file}:${r.line}: ${r.reason}`))
        .join("; ");
      return `${s.source}: ${s.rows_rejected} of ${s.rows_read} rows rejected (${share} %, limit ${(limit * 100).toFixed(1)} %); first: ${first}`;
    });
}
