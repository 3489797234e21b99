import type { CsvSourceSpec } from "../source-spec.js";
import { RowRejection } from "../values.js";

export const journeysSource: CsvSourceSpec<"journeys"> = {
  name: "journeys",
  format: "csv",
  defaultPattern: "session_tracking*.csv{,.gz}",
  required: ["session_id", "user_id", "start_time", "end_time", "page_sequence", "drop_off_page"],
  optional: [],
  timeOf: (r) => r.start_time,
  toRecord: (row) => {
    const start_time = row.time("start_time");
    const end_time = row.time("end_time");
    if (end_time < start_time) throw new RowRejection("end_time: before start_time");
    return {
      session_id: row.text("session_id"),
      user_id: row.text("user_id"),
      start_time,
      end_time,
      page_sequence: row.text("page_sequence").replace(/\s+/g, " "),
      drop_off_page: row.text("drop_off_page"),
    };
  },
};
