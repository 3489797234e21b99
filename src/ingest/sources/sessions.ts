import { inInstantRange, type TimestampParser } from "../../time/timestamp.js";
import type { SessionEvent } from "../../types.js";
import type { EventSourceSpec } from "../source-spec.js";
import { INSTANT_OUT_OF_RANGE, RowRejection, reject } from "../values.js";

/**
 * Session events, one JSON object each. Identifiers may be JSON strings or numbers (a number is
 * read as its decimal text); `path` and `css` must be non-empty strings; `event_time` is a
 * timestamp string or an epoch number (seconds if < 1e11, else milliseconds); `text` and `value`
 * are strings or null. Strings are trimmed and an empty required string is a missing value.
 */
export const sessionsSource: EventSourceSpec<"sessions"> = {
  name: "sessions",
  format: "json",
  defaultPattern: "sessions*.{jsonl,json}{,.gz}",
  required: ["user_id", "session_id", "path", "css", "event_time"],
  optional: ["text", "value"],
  timeOf: (r) => r.event_time,
  toRecord: (value, parseTime): SessionEvent => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new RowRejection(`not a JSON object (${Array.isArray(value) ? "array" : typeof value})`);
    }
    const event = value as Record<string, unknown>;
    return {
      user_id: identifier(event, "user_id"),
      session_id: identifier(event, "session_id"),
      path: requiredString(event, "path"),
      css: requiredString(event, "css"),
      event_time: eventTime(event, parseTime),
      text: optionalString(event, "text"),
      value: optionalString(event, "value"),
    };
  },
};

// ---------------------------------------------------------------------------------------------

const REPLACEMENT_CHARACTER = "\uFFFD";

function checkedString(field: string, text: string): string {
  const trimmed = text.trim();
  if (trimmed.includes(REPLACEMENT_CHARACTER)) reject(field, "invalid UTF-8", trimmed);
  return trimmed;
}

function requiredString(event: Record<string, unknown>, field: string): string {
  const v = event[field];
  if (v === undefined || v === null) throw new RowRejection(`${field}: missing value`);
  if (typeof v !== "string") reject(field, "not a string", JSON.stringify(v));
  const text = checkedString(field, v);
  if (text === "") throw new RowRejection(`${field}: missing value`);
  return text;
}

function identifier(event: Record<string, unknown>, field: string): string {
  const v = event[field];
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return requiredString(event, field);
}

function optionalString(event: Record<string, unknown>, field: string): string | null {
  const v = event[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") reject(field, "not a string or null", JSON.stringify(v));
  return checkedString(field, v);
}

function eventTime(event: Record<string, unknown>, parseTime: TimestampParser): number {
  const v = event.event_time;
  if (typeof v === "number") {
    const ms = v < 1e11 ? v * 1000 : v;
    if (!inInstantRange(ms)) reject("event_time", INSTANT_OUT_OF_RANGE, JSON.stringify(v));
    return ms;
  }
  const text = requiredString(event, "event_time");
  const t = parseTime(text);
  if (t === undefined) reject("event_time", "not a timestamp", text);
  if (Number.isNaN(t)) reject("event_time", INSTANT_OUT_OF_RANGE, text);
  return t;
}
