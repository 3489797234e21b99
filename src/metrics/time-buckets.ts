import { createOffsetLookup } from "../time/zone-offsets.js";

/**
 * Local hours and days of instants in a zone, for hourly and daily tables. The repeated hour of
 * a DST change is two buckets: the same wall hour under two offsets.
 */
export interface TimeBuckets {
  /** Instant where the local wall-clock hour holding `instant` starts. */
  hourStart(instant: number): number;
  /** `2026-11-10T08:00:00+01:00`: the local hour start with the offset in force at that instant. */
  hourLabel(hourStart: number): string;
  /** Local date `2026-11-10` of an instant. */
  day(instant: number): string;
}

export function createTimeBuckets(timeZone: string): TimeBuckets {
  const offsetMs = createOffsetLookup(timeZone);
  const days = new Map<number, string>();
  return {
    hourStart(instant) {
      const local = instant + offsetMs(instant);
      return local - mod(local, 3_600_000) - offsetMs(instant);
    },
    hourLabel(hourStart) {
      const offset = offsetMs(hourStart);
      const wall = new Date(hourStart + offset).toISOString().slice(0, 19);
      const sign = offset < 0 ? "-" : "+";
      const minutes = Math.abs(offset) / 60_000;
      return `${wall}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
    },
    day(instant) {
      // Offsets change on quarter hours at most, so a quarter hour has one local date.
      const quarter = Math.floor(instant / 900_000);
      let day = days.get(quarter);
      if (day === undefined) {
        day = new Date(instant + offsetMs(instant)).toISOString().slice(0, 10);
        days.set(quarter, day);
      }
      return day;
    },
  };
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
