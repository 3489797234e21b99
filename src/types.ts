/**
 * The shapes that cross a layer boundary: records (ingest → metrics), source summaries
 * (ingest → run, render), periods (schedule → everything). Times are epoch milliseconds
 * (a float: sub-millisecond fractions of the source are kept to ~1 µs).
 */

export const SOURCE_NAMES = [
  "sessions",
  "api",
  "pages",
  "clicks",
  "carts",
  "journeys",
  "feedback",
  "support",
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** One event of `sessions` (docs/data-contract.md §1). */
export interface SessionEvent {
  user_id: string;
  session_id: string;
  path: string;
  css: string;
  event_time: number;
  /** Absent or null in the source → null. */
  text: string | null;
  value: string | null;
}

export interface ApiCall {
  timestamp: number;
  endpoint: string;
  status_code: number;
  response_time_ms: number;
  service_name: string;
}

export interface PageLoad {
  page_url: string;
  timestamp: number;
  load_time_ms: number;
}

export interface Click {
  user_id: string;
  timestamp: number;
  page: string;
  element_clicked: string;
}

export interface AbandonedCart {
  user_id: string;
  cart_id: string;
  abandonment_time: number;
  items_in_cart: number;
  total_value: number;
}

export interface Journey {
  session_id: string;
  user_id: string;
  start_time: number;
  end_time: number;
  /** Pages joined by " > ", runs of whitespace collapsed to one space. */
  page_sequence: string;
  /** `none` when the session completed. */
  drop_off_page: string;
}

export interface Feedback {
  user_id: string;
  timestamp: number;
  rating: number;
  /** Empty string when the column is absent or empty. */
  feedback_text: string;
}

export interface SupportTicket {
  ticket_id: string;
  created_at: number;
  /** null = still open. */
  resolved_at: number | null;
  category: string;
  priority: Priority;
  user_id: string | null;
  channel: string | null;
  status: string | null;
  csat: number | null;
}

export interface RecordOf {
  sessions: SessionEvent;
  api: ApiCall;
  pages: PageLoad;
  clicks: Click;
  carts: AbandonedCart;
  journeys: Journey;
  feedback: Feedback;
  support: SupportTicket;
}

/** A row left out of every metric, with where it is and why. */
export interface Reject {
  file: string;
  /** Physical line where the record starts; the header is line 1. */
  line: number;
  reason: string;
}

/** What ingest learned about one source: the `sources` part of metrics.json, plus the time span. */
export interface SourceSummary {
  source: SourceName;
  files: string[];
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  /** The first rejects, in file order then line order. */
  rejects: Reject[];
  /** Earliest and latest record time (the time docs/data-contract.md §4 uses to place the row), or null. */
  span: { from: number; to: number } | null;
  /** A fatal problem (a missing required column, an unreadable file): the source's data is not usable. */
  error: string | null;
}

/** A half-open period [from, to) in a time zone (docs/data-contract.md §4). */
export interface Period {
  /** Epoch milliseconds. */
  from: number;
  to: number;
  timezone: string;
  /** A short name used in file paths and titles: `2026-W46`, `2026-10`, `2026-11-16`, or `2026-11-09--2026-11-12`. */
  id: string;
}

/** A scalar metric value: a number, a name, a small record (`carts.max_value`), or null (nothing to compute). */
export type ScalarValue = number | string | { [key: string]: string | number } | null;

export type TableRow = { [column: string]: string | number | null };

/**
 * What a metric module produces per metric ID, for the period and the one before it. Tables keep
 * the previous period's rows too (findings compare them), though metrics.json prints only `rows`.
 */
export type MetricOutput =
  | { kind: "scalar"; value: ScalarValue; previous: ScalarValue }
  | { kind: "table"; rows: TableRow[]; previousRows: TableRow[] };

/** The outputs of every module that ran, by metric ID. */
export type MetricResults = Map<string, MetricOutput>;

/** Most severe first. */
export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * What a finding is about, so a template can pick findings without naming rules: `change` (a
 * watched figure moved), `incident` (a service-day of 5xx), `target` (a figure missed its
 * target), `funnel` (where and why shoppers leave the checkout), `pages` (page speed), `slower` (a
 * page or API endpoint got slower), `sla`
 * (tickets past their SLA), `feedback` (what shoppers wrote), `completeness` (a source's rows do
 * not cover the period: said first, in every report that uses the source).
 */
export const TOPICS = [
  "change",
  "incident",
  "target",
  "funnel",
  "pages",
  "slower",
  "sla",
  "feedback",
  "completeness",
] as const;
export type Topic = (typeof TOPICS)[number];

/**
 * A plain-language sentence about the period, with its numbers. It says what it is about (its
 * topic and metrics), not who reads it: each template selects its readers' findings.
 */
export interface Finding {
  /**
   * Stable: the topic and the subject (`change:funnel.conversion`, `incident:payment-api:2026-11-10`).
   * findings.json keeps no separate topic, so the id must start with it.
   */
  id: string;
  topic: Topic;
  severity: Severity;
  text: string;
  /** The metric IDs the sentence is built from. */
  metrics: string[];
  /** How much it matters within its severity (higher first); only used for ranking. */
  weight: number;
  /** The test behind a change, incident or target finding (findings.json `evidence`). */
  evidence?: Evidence;
  /**
   * True: the figure moved past its threshold but the data cannot tell it from chance. Listed
   * under "Movements within normal variation", never in "What changed" or the mail.
   */
  variation?: boolean;
}

/**
 * How sure a finding is and the numbers behind it (docs/metrics.md "How sure a finding is"):
 * the test, its p-value (against the baseline when there is one, else the period before), the
 * certainty in words and the counts each side rests on.
 */
export interface Evidence {
  test: string | null;
  p_value: number | null;
  certainty: "very likely" | "likely" | "possibly" | "could be chance" | "too few to tell";
  /** What the p-value compares with: the period before, or the median of the last periods. */
  compared_with?: "previous" | "baseline";
  /** Tests of the same kind made together (a table's pages): the p-value was held to alpha / tests. */
  tests?: number;
  current: Record<string, number>;
  /** The period before: its counts and the p-value of the comparison with it. */
  previous?: Record<string, number | null>;
  /** The median of the last periods (ids, the one before first), when the archive has 3 or more. */
  baseline?: { periods: string[]; median: number; p_value: number | null };
  /** When there were too few to test: the smallest side's count. */
  smallest_n?: number;
}

/** What a metric's number is, for formatting it and reading its change. */
export type Unit =
  | "count"
  | "rate"
  | "ms"
  | "seconds"
  | "hours"
  | "minutes"
  | "money"
  | "rating"
  | "ratio"
  | "name"
  | "record"
  | "table";
