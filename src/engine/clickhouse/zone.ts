import { createOffsetLookup } from "../../time/zone-offsets.js";
import { numberLiteral } from "./sql.js";

const QUARTER = 900_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Local hours and days in SQL, with the file engine's offsets: the zone's UTC offset at each
 * instant comes from this process's time zone data (Temporal), not the server's, and enters the
 * query as a step function over the run's span (`multiIf(t < change, offset, …)`). Offsets
 * change on quarter hours, so the steps are found hour by hour, then to the quarter.
 */
export function zoneSql(timeZone: string, span: { from: number; to: number }) {
  const offsetAt = createOffsetLookup(timeZone);
  const first = Math.floor(span.from / HOUR) * HOUR;
  const steps: { from: number; offset: number }[] = [];
  let offset = offsetAt(first);
  for (let hour = first; hour < span.to; hour += HOUR) {
    if (offsetAt(hour + HOUR) === offset) continue;
    for (let q = hour + QUARTER; q <= hour + HOUR; q += QUARTER) {
      if (offsetAt(q) !== offset) {
        offset = offsetAt(q);
        steps.push({ from: q, offset });
        break;
      }
    }
  }
  const base = offsetAt(first);
  /** The offset in force at `time`, in milliseconds. */
  const offsetOf = (time: string) =>
    steps.length === 0
      ? String(base)
      : `multiIf(${[
          `${time} < ${numberLiteral(steps[0]?.from as number)}`,
          String(base),
          ...steps.flatMap((s, i) => {
            const next = steps[i + 1];
            return next === undefined
              ? [String(s.offset)]
              : [`${time} < ${numberLiteral(next.from)}`, String(s.offset)];
          }),
        ].join(", ")})`;
  /** The instant the local hour holding `time` starts (metrics/time-buckets.ts `hourStart`). */
  const hourStart = (time: string) => {
    const off = offsetOf(time);
    return `(floor((toInt64(floor(${time})) + ${off}) / ${HOUR}) * ${HOUR} - ${off})`;
  };
  /** The local date of `time`, as days since 1970-01-01 (formatted by `dayLabel`). */
  const dayNumber = (time: string) => `floor((toInt64(floor(${time})) + ${offsetOf(time)}) / ${DAY})`;
  return { offsetOf, hourStart, dayNumber };
}

/** `2026-11-10` from a day number of {@link zoneSql}'s `dayNumber`. */
export function dayLabel(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}
