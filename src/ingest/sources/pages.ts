import type { CsvSourceSpec } from "../source-spec.js";

export const pagesSource: CsvSourceSpec<"pages"> = {
  name: "pages",
  format: "csv",
  defaultPattern: "page_load_times*.csv{,.gz}",
  required: ["page_url", "timestamp", "load_time_ms"],
  optional: [],
  timeOf: (r) => r.timestamp,
  toRecord: (row) => ({
    page_url: row.text("page_url"),
    timestamp: row.time("timestamp"),
    load_time_ms: row.number("load_time_ms", 0),
  }),
};
