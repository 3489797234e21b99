import type { CsvSourceSpec } from "../source-spec.js";

export const feedbackSource: CsvSourceSpec<"feedback"> = {
  name: "feedback",
  format: "csv",
  defaultPattern: "user_feedback*.csv{,.gz}",
  required: ["user_id", "timestamp", "rating"],
  optional: ["feedback_text"],
  timeOf: (r) => r.timestamp,
  toRecord: (row) => ({
    user_id: row.text("user_id"),
    timestamp: row.time("timestamp"),
    rating: row.integer("rating", 1, 5),
    feedback_text: row.optionalText("feedback_text") ?? "",
  }),
};
