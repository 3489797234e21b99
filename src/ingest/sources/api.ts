import type { CsvSourceSpec } from "../source-spec.js";

export const apiSource: CsvSourceSpec<"api"> = {
  name: "api",
  format: "csv",
  defaultPattern: "api_logs*.csv{,.gz}",
  required: ["timestamp", "endpoint", "status_code", "response_time_ms", "service_name"],
  optional: [],
  timeOf: (r) => r.timestamp,
  toRecord: (row) => ({
    timestamp: row.time("timestamp"),
    endpoint: row.text("endpoint"),
    status_code: row.integer("status_code", 100, 599),
    response_time_ms: row.number("response_time_ms", 0),
    service_name: row.text("service_name"),
  }),
};
