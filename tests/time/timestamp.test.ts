import { describe, expect, it } from "vitest";
import { createTimestampParser, scanTimestamp, TIMESTAMP } from "../../src/time/timestamp.js";

const utc = createTimestampParser("UTC");
const paris = createTimestampParser("Europe/Paris");
const iso = (t: number | undefined) => (t === undefined ? "rejected" : new Date(t).toISOString());

describe("timestamps (docs/data-contract.md §2)", () => {
  it.each([
    ["2026-11-10T08:15", "2026-11-10T08:15:00.000Z"],
    ["2026-11-10 08:15:30", "2026-11-10T08:15:30.000Z"],
    ["2026-11-10T08:15:30.5Z", "2026-11-10T08:15:30.500Z"],
    ["2026-11-10T08:15:30.123456789Z", "2026-11-10T08:15:30.123Z"],
    ["2026-11-10T08:15:30+02:00", "2026-11-10T06:15:30.000Z"],
    ["2026-11-10T08:15:30+0200", "2026-11-10T06:15:30.000Z"],
    ["2026-11-10T08:15:30+02", "2026-11-10T06:15:30.000Z"],
    ["2026-11-10T08:15-05:30", "2026-11-10T13:45:00.000Z"],
    ["2024-02-29T00:00", "2024-02-29T00:00:00.000Z"],
  ])("reads %s", (text, expected) => {
    expect(iso(utc(text))).toBe(expected);
  });

  it.each([
    "2026-11-10",
    "2026-11-10T08",
    "2026-11-10T8:15",
    "2026-11-10t08:15",
    "2026-11-10T08:15z",
    "2026-11-10T08:15:30.1234567890",
    "2026-11-10T08:15+02:",
    "2026-11-10T08:15+2",
    "2026-11-10T24:00",
    "2026-11-10T08:60",
    "2026-11-10T08:15:60",
    "2025-02-29T00:00",
    "2026-13-01T00:00",
    "1763370000",
    "10/11/2026 08:15",
    "",
  ])("rejects %j", (text) => {
    expect(utc(text)).toBeUndefined();
  });

  // Regression: offsets past ±23:59 were compared with `=== NaN` and accepted as NaN instants.
  it.each([
    "2026-11-20T10:00:00+99:00",
    "2026-11-20T10:00:00+24:00",
    "2026-11-20T10:00:00+12:60",
    "2026-11-20T10:00-2400",
  ])("rejects the offset of %j as no offset", (text) => {
    expect(utc(text)).toBeUndefined();
  });

  // Regression: Date.UTC read the years 0 to 99 as 1900 to 1999; instants must be in 1970-9999 UTC.
  it.each([
    ["0001-01-01T00:00Z", "UTC"],
    ["0075-06-01T00:00Z", "UTC"],
    ["0075-06-01T00:00", "UTC"],
    ["1969-12-31T23:59:59Z", "UTC"],
    ["1970-01-01T00:30", "Europe/Paris"],
    ["9999-12-31T23:00-02:00", "UTC"],
  ])("marks %j (%s) as a timestamp out of range (NaN)", (text, zone) => {
    expect(createTimestampParser(zone)(text)).toBeNaN();
  });

  it("accepts the first and last instants of the range", () => {
    expect(iso(utc("1970-01-01T00:00Z"))).toBe("1970-01-01T00:00:00.000Z");
    expect(iso(utc("1969-12-31T23:00-02:00"))).toBe("1970-01-01T01:00:00.000Z");
    expect(utc("9999-12-31T23:59:59.999Z")).toBe(Date.UTC(10000, 0, 1) - 1);
  });

  it("reads naive times as wall time in the configured zone", () => {
    expect(iso(paris("2026-11-10T08:00"))).toBe("2026-11-10T07:00:00.000Z");
    expect(iso(paris("2026-07-10T08:00"))).toBe("2026-07-10T06:00:00.000Z");
    // An explicit zone wins over the configured one.
    expect(iso(paris("2026-07-10T08:00Z"))).toBe("2026-07-10T08:00:00.000Z");
  });

  it("takes the earlier instant for the hour repeated when summer time ends (Paris, 25 Oct 2026)", () => {
    expect(iso(paris("2026-10-25T02:30"))).toBe("2026-10-25T00:30:00.000Z");
    expect(iso(paris("2026-10-25T03:00"))).toBe("2026-10-25T02:00:00.000Z");
    expect(iso(paris("2026-10-25T01:59:59"))).toBe("2026-10-24T23:59:59.000Z");
  });

  it("moves a skipped wall time forward by the gap (Paris, 29 Mar 2026)", () => {
    expect(iso(paris("2026-03-29T02:30"))).toBe("2026-03-29T01:30:00.000Z"); // = 03:30 CEST
    expect(iso(paris("2026-03-29T03:00"))).toBe("2026-03-29T01:00:00.000Z");
  });

  it("handles a zone whose change is not a whole hour (Lord Howe, 30 min)", () => {
    const lordHowe = createTimestampParser("Australia/Lord_Howe");
    expect(iso(lordHowe("2026-10-04T02:10"))).toBe("2026-10-03T15:40:00.000Z"); // skipped: moves 30 min on
    expect(iso(lordHowe("2026-04-05T01:45"))).toBe("2026-04-04T14:45:00.000Z"); // repeated: the earlier
  });

  it("gives the same answer on repeated calls (the hour cache)", () => {
    const first = paris("2026-10-25T02:30:10");
    expect(paris("2026-10-25T02:30:10")).toBe(first);
    expect(paris("2026-10-25T02:59:59.5")).toBe(Date.UTC(2026, 9, 25, 0, 59, 59, 500));
  });
});

describe("the timestamp scanner against the regular expression of docs/data-contract.md §2", () => {
  it("matches the same strings with the same fields, on 200,000 random near-timestamps", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pieces = [
      "2026-11-10",
      "T",
      " ",
      "08:15",
      ":30",
      ".5",
      ".123456789",
      ".1234567890",
      "Z",
      "+02:00",
      "+0200",
      "+02",
      "-05:30",
      "+2",
      ":",
      "+",
      "x",
      "1",
      "99",
      "-",
      ".",
    ];
    let matched = 0;
    for (let i = 0; i < 200_000; i++) {
      let text = "2026-11-10T08:15";
      if (random() < 0.3) {
        // Mutate one character of a valid start.
        const at = Math.floor(random() * text.length);
        text = text.slice(0, at) + String.fromCharCode(32 + Math.floor(random() * 90)) + text.slice(at + 1);
      }
      const extra = Math.floor(random() * 4);
      for (let k = 0; k < extra; k++) text += pieces[Math.floor(random() * pieces.length)];
      const m = TIMESTAMP.exec(text);
      const scanned = scanTimestamp(text);
      if (m === null) {
        expect(scanned, text).toBeNull();
        continue;
      }
      matched += 1;
      const offset =
        m[8] !== undefined
          ? 0
          : m[9] !== undefined
            ? Number(m[10]) > 23 || Number(m[11] ?? 0) > 59
              ? Number.NaN
              : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0))
            : null;
      expect(scanned, text).toEqual({
        y: Number(m[1]),
        mo: Number(m[2]),
        d: Number(m[3]),
        h: Number(m[4]),
        mi: Number(m[5]),
        s: m[6] === undefined ? 0 : Number(m[6]),
        fraction: m[7] ?? null,
        offsetMinutes: offset,
      });
    }
    expect(matched).toBeGreaterThan(50_000);
  });
});
