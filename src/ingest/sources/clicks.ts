import type { CsvSourceSpec } from "../source-spec.js";

export const clicksSource: CsvSourceSpec<"clicks"> = {
  name: "clicks",
  format: "csv",
  defaultPattern: "clickstream*.csv{,.gz}",
  required: ["user_id", "timestamp", "page", "element_clicked"],
  optional: [],
  timeOf: (r) => r.timestamp,
  toRecord: (row) => ({
    user_id: row.text("user_id"),
    timestamp: row.time("timestamp"),
    page: row.text("page"),
    element_clicked: row.text("element_clicked"),
  }),
};
