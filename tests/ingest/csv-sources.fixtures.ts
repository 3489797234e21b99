import type { CsvSourceSpec } from "../../src/ingest/source-spec.js";
import { SOURCES } from "../../src/ingest/sources/index.js";
import type { SourceName } from "../../src/types.js";

/** One bad value of a column and the reason it must produce. */
export interface ValueRule {
  column: string;
  value: string;
  reason: string;
}

/**
 * What the shared suite needs of each CSV source: a good row, a free-text column to carry
 * quotes, commas and newlines, the time columns, and the source's own value rules.
 */
export interface CsvSourceFixture {
  spec: CsvSourceSpec;
  good: Record<string, string>;
  textColumn: string;
  timeColumns: string[];
  /** Values that must be accepted: column → [written, what the record holds]. */
  accepted: { column: string; field: string; value: string; expected: unknown }[];
  rules: ValueRule[];
}

const spec = (name: Exclude<SourceName, "sessions">) => SOURCES[name] as CsvSourceSpec;

export const CSV_FIXTURES: CsvSourceFixture[] = [
  {
    spec: spec("api"),
    good: {
      timestamp: "2026-11-10T08:00:00Z",
      endpoint: "/checkout",
      status_code: "200",
      response_time_ms: "120.5",
      service_name: "payment-api",
    },
    textColumn: "endpoint",
    timeColumns: ["timestamp"],
    accepted: [
      { column: "status_code", field: "status_code", value: "100", expected: 100 },
      { column: "status_code", field: "status_code", value: "599", expected: 599 },
      { column: "response_time_ms", field: "response_time_ms", value: "0", expected: 0 },
      { column: "response_time_ms", field: "response_time_ms", value: "1e3", expected: 1000 },
    ],
    rules: [
      { column: "status_code", value: "99", reason: "status_code: not in 100..599" },
      { column: "status_code", value: "600", reason: "status_code: not in 100..599" },
      { column: "status_code", value: "200.0", reason: "status_code: not an integer" },
      { column: "status_code", value: "abc", reason: "status_code: not an integer" },
      { column: "response_time_ms", value: "-1", reason: "response_time_ms: below 0" },
      { column: "response_time_ms", value: "NaN", reason: "response_time_ms: not a number" },
      { column: "response_time_ms", value: "Infinity", reason: "response_time_ms: not a number" },
      { column: "response_time_ms", value: "0x10", reason: "response_time_ms: not a number" },
      { column: "response_time_ms", value: "12ms", reason: "response_time_ms: not a number" },
    ],
  },
  {
    spec: spec("pages"),
    good: { page_url: "/checkout", timestamp: "2026-11-10 08:00:00", load_time_ms: "1500" },
    textColumn: "page_url",
    timeColumns: ["timestamp"],
    accepted: [{ column: "load_time_ms", field: "load_time_ms", value: "0.5", expected: 0.5 }],
    rules: [
      { column: "load_time_ms", value: "-0.5", reason: "load_time_ms: below 0" },
      { column: "load_time_ms", value: "1,5", reason: "load_time_ms: not a number" },
      { column: "load_time_ms", value: "1.5s", reason: "load_time_ms: not a number" },
    ],
  },
  {
    spec: spec("clicks"),
    good: { user_id: "U1", timestamp: "2026-11-10T08:00", page: "homepage", element_clicked: "search_bar" },
    textColumn: "element_clicked",
    timeColumns: ["timestamp"],
    accepted: [],
    rules: [],
  },
  {
    spec: spec("carts"),
    good: {
      user_id: "U1",
      cart_id: "C1",
      abandonment_time: "2026-11-10T08:00:00+01:00",
      items_in_cart: "3",
      total_value: "120.50",
    },
    textColumn: "cart_id",
    timeColumns: ["abandonment_time"],
    accepted: [{ column: "items_in_cart", field: "items_in_cart", value: "0", expected: 0 }],
    rules: [
      { column: "items_in_cart", value: "2.5", reason: "items_in_cart: not an integer" },
      { column: "items_in_cart", value: "4.0", reason: "items_in_cart: not an integer" },
      { column: "items_in_cart", value: "-1", reason: "items_in_cart: not in 0.." },
      { column: "total_value", value: "-0.01", reason: "total_value: below 0" },
    ],
  },
  {
    spec: spec("journeys"),
    good: {
      session_id: "s1",
      user_id: "u1",
      start_time: "2026-11-10T08:00:00",
      end_time: "2026-11-10T08:05:00",
      page_sequence: "home > product > cart",
      drop_off_page: "cart",
    },
    textColumn: "user_id",
    timeColumns: ["start_time", "end_time"],
    accepted: [
      {
        column: "page_sequence",
        field: "page_sequence",
        value: "home  >\tproduct >  cart",
        expected: "home > product > cart",
      },
      {
        column: "end_time",
        field: "end_time",
        value: "2026-11-10T08:00:00",
        expected: Date.UTC(2026, 10, 10, 8),
      },
    ],
    rules: [{ column: "end_time", value: "2026-11-10T07:59:59", reason: "end_time: before start_time" }],
  },
  {
    spec: spec("feedback"),
    good: {
      user_id: "user1",
      timestamp: "2026-11-10T08:00:00",
      feedback_text: "Smooth checkout",
      rating: "5",
    },
    textColumn: "feedback_text",
    timeColumns: ["timestamp"],
    accepted: [{ column: "feedback_text", field: "feedback_text", value: "", expected: "" }],
    rules: [
      { column: "rating", value: "0", reason: "rating: not in 1..5" },
      { column: "rating", value: "6", reason: "rating: not in 1..5" },
      { column: "rating", value: "4.0", reason: "rating: not an integer" },
    ],
  },
  {
    spec: spec("support"),
    good: {
      ticket_id: "T-1",
      created_at: "2026-11-10T08:00:00+0100",
      resolved_at: "2026-11-10T10:00:00+01",
      category: "payment",
      priority: "urgent",
      user_id: "U1",
      channel: "email",
      status: "resolved",
      csat: "4",
    },
    textColumn: "category",
    timeColumns: ["created_at", "resolved_at"],
    accepted: [
      { column: "priority", field: "priority", value: " High ", expected: "high" },
      { column: "resolved_at", field: "resolved_at", value: "", expected: null },
      { column: "csat", field: "csat", value: "", expected: null },
    ],
    rules: [
      { column: "priority", value: "critical", reason: "priority: not one of low/normal/high/urgent" },
      { column: "csat", value: "9", reason: "csat: not in 1..5" },
      { column: "csat", value: "4.5", reason: "csat: not an integer" },
    ],
  },
];
