import { isTextColumn, metricInfo } from "../metrics/catalog.js";
import { NOT_SCORED } from "../metrics/sentiment.js";
import { NO_ERROR_REASON } from "../metrics/sessions-summary.js";
import type { MetricResults, TableRow } from "../types.js";
import { formatCount } from "../util/format.js";
import type { SectionOf } from "./templates/schema.js";
import { columnLabel, formatColumn } from "./values.js";

/**
 * What a table section shows, worked out from the results before anything is drawn: its
 * headers, its cells (each column formatted as one, values.ts), and the lines under it that say
 * what it leaves out and where that is. Every line is true of metrics.json: a table that
 * metrics.json keeps only in part says so instead of pointing there for the rest.
 */
export interface TableView {
  columns: { label: string; numeric: boolean }[];
  /** Empty when every row was context (only the notes are shown). */
  rows: string[][];
  notes: string[];
}

/**
 * Rows that are context for a table rather than entries of it, shown as one line under it:
 * the sessions that left without any error are not a reason shoppers did not order, and as the
 * largest row they would push the reasons down.
 */
const CONTEXT_ROWS: Record<string, { is(row: TableRow): boolean; line(row: TableRow): string }> = {
  "funnel.loss_reasons": {
    is: (row) => row.reason === NO_ERROR_REASON,
    line: (row) => {
      const n = row.sessions as number;
      return `Besides these, ${formatCount(n)} ${n === 1 ? "session" : "sessions"} viewed a product and left without an order and without seeing an error.`;
    },
  },
};

/** The table section's view, or null when the metric has no rows at all. */
export function tableView(
  section: SectionOf<"table">,
  results: MetricResults,
  currency: string,
): TableView | null {
  const { metric, columns } = section;
  const output = results.get(metric);
  const all = output?.kind === "table" ? output.rows : [];
  if (all.length === 0) return null;
  const context = CONTEXT_ROWS[metric];
  const rows = context === undefined ? all : all.filter((row) => !context.is(row));
  const info = metricInfo(metric);
  const sample = info.unit === "table" ? info.sample : undefined;
  // A list of individual rows can repeat itself (five shoppers writing "Great"): one line each.
  const groups =
    sample === undefined ? rows.map((row) => ({ row, times: 1 })) : groupIdentical(rows, columns);
  const shown = groups.slice(0, section.top);
  const repeats = shown.some((g) => g.times > 1);
  const cells = columns.map((c) =>
    formatColumn(
      metric,
      c,
      shown.map((g) => g.row[c] ?? null),
      currency,
    ),
  );
  const view: TableView = {
    columns: [
      ...columns.map((c) => ({ label: columnLabel(metric, c), numeric: !isTextColumn(metric, c) })),
      ...(repeats ? [{ label: "Times", numeric: true }] : []),
    ],
    rows: shown.map((g, i) => [
      ...cells.map((column) => column[i] as string),
      ...(repeats ? [formatCount(g.times)] : []),
    ]),
    notes: [],
  };
  if (sample === undefined) {
    const left = rows.length - shown.length;
    if (left > 0)
      view.notes.push(
        `Showing the first ${formatCount(shown.length)} of ${formatCount(rows.length)} rows; the other ${formatCount(left)} ${left === 1 ? "is" : "are"} in metrics.json.`,
      );
  } else {
    const counted = results.get(sample.countedBy);
    const total =
      counted?.kind === "scalar" && typeof counted.value === "number" ? counted.value : rows.length;
    const listed = shown.reduce((n, g) => n + g.times, 0);
    if (listed < total) {
      const left = total - listed;
      const kept =
        rows.length >= total
          ? `the other ${formatCount(left)} ${left === 1 ? "is" : "are"} in metrics.json`
          : `metrics.json lists the first ${formatCount(rows.length)}`;
      view.notes.push(`Showing ${formatCount(listed)} of ${formatCount(total)} ${sample.noun}; ${kept}.`);
    }
  }
  const contextRow = context === undefined ? undefined : all.find((row) => context.is(row));
  if (contextRow !== undefined && context !== undefined) view.notes.push(context.line(contextRow));
  view.notes.push(...metricNotes(metric, results));
  return view;
}

/**
 * Lines any section showing this metric adds under it. Comments that were not scored are in no
 * tone figure but the count of classes, so a reader of the tone or of the disagreements is told
 * how many there were.
 */
export function metricNotes(metric: string, results: MetricResults): string[] {
  if (metric !== "feedback.text_classes" && metric !== "feedback.mismatch_examples") return [];
  const classes = results.get("feedback.text_classes");
  const row = classes?.kind === "table" ? classes.rows.find((r) => r.class === NOT_SCORED) : undefined;
  const n = typeof row?.count === "number" ? row.count : 0;
  if (n === 0) return [];
  const comments = `${formatCount(n)} ${n === 1 ? "comment" : "comments"}`;
  return [
    metric === "feedback.text_classes"
      ? `${comments} ${n === 1 ? "was" : "were"} not scored: not in English, the only language the sentiment lexicon reads, so ${n === 1 ? "its" : "their"} tone is unknown.`
      : `${comments} not in English ${n === 1 ? "was" : "were"} not scored, so ${n === 1 ? "it is" : "they are"} not compared with ${n === 1 ? "its" : "their"} rating.`,
  ];
}

// ---------------------------------------------------------------------------------------------

/** Rows equal in every shown column, as one row with how many times it came, in first-seen order. */
function groupIdentical(rows: readonly TableRow[], columns: readonly string[]) {
  const groups = new Map<string, { row: TableRow; times: number }>();
  for (const row of rows) {
    const key = JSON.stringify(columns.map((c) => row[c] ?? null));
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { row, times: 1 });
    else group.times += 1;
  }
  return [...groups.values()];
}
