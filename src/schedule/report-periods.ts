import { Temporal } from "temporal-polyfill";
import type { ReportConfig } from "../config/schema.js";
import { parsePeriodSpec, periodBetween } from "../time/periods.js";
import type { Period } from "../types.js";

/**
 * The period a report covers when it fires at `fireAt`, in the report's zone: the day before,
 * the Monday-based week before, the calendar month before, or N whole days ending at the fire's
 * local midnight. Boundaries are wall-clock midnights, so a week across a DST change is 167 or
 * 169 hours long and a report firing Monday 08:00 covers Monday 00:00 to Monday 00:00.
 */
export function periodForFire(
  report: Pick<ReportConfig, "period">,
  fireAt: number,
  timeZone: string,
): Period {
  if (typeof report.period === "string") return parsePeriodSpec(report.period, timeZone, fireAt);
  const today = Temporal.Instant.fromEpochMilliseconds(fireAt).toZonedDateTimeISO(timeZone).toPlainDate();
  return periodBetween(
    today.subtract({ days: report.period.days }).toZonedDateTime({ timeZone }),
    today.toZonedDateTime({ timeZone }),
  );
}
