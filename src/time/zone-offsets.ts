import { Temporal } from "temporal-polyfill";

/**
 * The UTC offset (in milliseconds) a zone has at an instant, from Temporal, looked up once per
 * quarter hour of UTC time: offsets only change on quarter hours, so hot loops pay for the
 * lookup once and then do arithmetic.
 */
export function createOffsetLookup(timeZone: string): (instant: number) => number {
  const offsets = new Map<number, number>();
  return (instant) => {
    const quarter = Math.floor(instant / 900_000);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      offset =
        Temporal.Instant.fromEpochMilliseconds(quarter * 900_000).toZonedDateTimeISO(timeZone)
          .offsetNanoseconds / 1e6;
      offsets.set(quarter, offset);
    }
    return offset;
  };
}
