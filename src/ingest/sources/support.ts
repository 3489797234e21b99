import { PRIORITIES, type Priority } from "../../types.js";
import type { CsvSourceSpec } from "../source-spec.js";
import { reject } from "../values.js";

export const supportSource: CsvSourceSpec<"support"> = {
  name: "support",
  format: "csv",
  defaultPattern: "support_tickets*.csv{,.gz}",
  required: ["ticket_id", "created_at", "category", "priority"],
  optional: ["resolved_at", "user_id", "channel", "status", "csat"],
  timeOf: (r) => r.created_at,
  toRecord: (row) => {
    const priority = row.text("priority");
    const normalized = priority.toLowerCase();
    if (!isPriority(normalized)) reject("priority", `not one of ${PRIORITIES.join("/")}`, priority);
    return {
      ticket_id: row.text("ticket_id"),
      created_at: row.time("created_at"),
      resolved_at: row.optionalTime("resolved_at"),
      category: row.text("category"),
      priority: normalized,
      user_id: row.optionalText("user_id"),
      channel: row.optionalText("channel"),
      status: row.optionalText("status"),
      csat: row.optionalInteger("csat", 1, 5),
    };
  },
};

function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}
