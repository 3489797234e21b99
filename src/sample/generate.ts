import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import type { SourceName } from "../types.js";
import { csvRow } from "../util/csv-row.js";
import { createTimestampFormatter, type SampleDay, sampleDays, timeOfDay } from "./clock.js";
import { createLineWriter, type LineWriter } from "./line-writer.js";
import { createRandom, type Random } from "./random.js";
import { apiRow, cartRow, clickRow, feedbackRow, HEADERS, journeyRow, pageRow, ticketRow } from "./rows.js";
import { type Planted, type SessionEventOut, type ShopDay, shopperSession } from "./shoppers.js";

export interface SampleOptions {
  outDir: string;
  /** Local days of data, ending (exclusive) at `end`. */
  days: number;
  /**
   * Rows a day for the busy sources (api, pages, clicks, session events); the others scale with
   * it: journeys 1/8, abandoned carts and feedback 1/40, support tickets 1/100 (at least 1).
   */
  rowsPerDay: number;
  seed: number;
  end: Temporal.PlainDate;
  timezone: string;
  /** Share of rows written broken on purpose (bad times, numbers out of range, short rows). */
  badRowRate: number;
  /**
   * Every source gets `rowsPerDay` rows a day (for benchmarks: "N rows per source"), instead of
   * the shop's natural proportions. Default false.
   */
  uniform?: boolean;
  /** For measuring the findings (bench/findings-quality.ts); the shipped sample has none. */
  scenario?: Scenario;
}

/**
 * A shop to measure the findings on: `calm` drops the worse last week and the payment incident
 * (the same shop every day); `varyVolume` draws each day's row counts from a Poisson distribution
 * around their mean, as real days vary; `plants` are known changes over local dates [from, to).
 */
export interface Scenario {
  calm?: boolean;
  varyVolume?: boolean;
  plants?: Plant[];
}

export type Plant = { from: string; to: string } & (
  | { kind: "errors"; service: string; share: number }
  | { kind: "slower"; url: string; factor: number }
  | { kind: "conversion"; factor: number }
  | { kind: "volume"; factor: number }
);

export interface SampleResult {
  files: { source: SourceName; file: string; rows: number }[];
  /** The day of the payment incident (5xx burst, slow answers, failed checkouts). */
  incidentDay: string;
}

/** The file each source is written to. */
export const FILE_NAMES: Record<SourceName, string> = {
  sessions: "sessions.jsonl",
  api: "api_logs.csv",
  pages: "page_load_times.csv",
  clicks: "clickstream.csv",
  carts: "cart_abandonment.csv",
  journeys: "session_tracking.csv",
  feedback: "user_feedback.csv",
  support: "support_tickets.csv",
};

/**
 * Writes realistic, deterministic data for all eight sources: the same options give the same
 * bytes. The last full week carries a payment incident on its Tuesday and is a little worse
 * than the weeks before, so week-over-week comparisons have something to say.
 */
export async function generateSample(options: SampleOptions): Promise<SampleResult> {
  await mkdir(options.outDir, { recursive: true });
  const random = createRandom(options.seed);
  const format = createTimestampFormatter(options.timezone);
  const days = sampleDays(options.end, options.days, options.timezone).map((d) => shopDay(d, options));
  const dataEnd = days.at(-1)?.end ?? 0;
  const users = Math.max(20, Math.round((options.rowsPerDay / 8) * 4));
  const user = () => `U${String(random.int(1, users)).padStart(5, "0")}`;
  const counters = { session: 0, cart: 0, journey: 0, ticket: 0 };
  const written = new Map<SourceName, number>();

  const writers = new Map<SourceName, LineWriter>();
  for (const source of Object.keys(FILE_NAMES) as SourceName[]) {
    const writer = createLineWriter(path.join(options.outDir, FILE_NAMES[source]));
    writers.set(source, writer);
    if (source !== "sessions") await writer.line(csvRow(HEADERS[source]));
  }
  const emit = async (source: SourceName, line: string) => {
    written.set(source, (written.get(source) ?? 0) + 1);
    await (writers.get(source) as LineWriter).line(line);
  };
  const csv = async (
    source: Exclude<SourceName, "sessions">,
    rows: { t: number; row: (string | number)[] }[],
  ) => {
    rows.sort((a, b) => a.t - b.t);
    for (const { row } of rows)
      await emit(source, csvRow(maybeBreak(row, source, random, options.badRowRate)));
  };
  const many = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);

  const vary = (mean: number) => (options.scenario?.varyVolume ? random.poisson(mean) : mean);
  for (const day of days) {
    const perDay = (divisor: number) =>
      vary(Math.max(1, Math.round(options.rowsPerDay / (options.uniform ? 1 : divisor))));
    // A session has about 3.5 events, so this many sessions give about rowsPerDay events.
    const shoppers = Math.max(1, Math.round((options.rowsPerDay / 3.5) * day.planted.volume));
    const sessions = many(vary(shoppers), () => ({
      t: timeOfDay(day, random),
      user: user(),
    }));
    sessions.sort((a, b) => a.t - b.t);
    for (const s of sessions) {
      counters.session += 1;
      const ids = { user: s.user, session: `S${String(counters.session).padStart(7, "0")}` };
      for (const event of shopperSession(day, random, ids, s.t, format)) {
        await emit("sessions", breakEvent(event, random, options.badRowRate));
      }
    }
    const at = () => timeOfDay(day, random);
    await csv(
      "api",
      many(vary(options.rowsPerDay), () => at()).map((t) => ({ t, row: apiRow(day, random, t, format) })),
    );
    await csv(
      "pages",
      many(perDay(2), () => at()).map((t) => ({ t, row: pageRow(day, random, t, format) })),
    );
    await csv(
      "clicks",
      many(vary(options.rowsPerDay), () => at()).map((t) => ({
        t,
        row: clickRow(random, t, user(), format),
      })),
    );
    const carts = many(perDay(40), () => at()).map((t) => {
      counters.cart += 1;
      return { t, row: cartRow(random, t, user(), `C${String(counters.cart).padStart(6, "0")}`, format) };
    });
    await csv("carts", carts);
    const journeys = many(perDay(8), () => at()).map((t) => {
      counters.journey += 1;
      return { t, row: journeyRow(random, t, { user: user(), session: `s${counters.journey}` }, format) };
    });
    await csv("journeys", journeys);
    await csv(
      "feedback",
      many(perDay(40), () => at()).map((t) => ({ t, row: feedbackRow(day, random, t, user(), format) })),
    );
    const tickets = many(perDay(100), () => at()).map((t) => {
      counters.ticket += 1;
      const ids = { ticket: `T-${String(counters.ticket).padStart(5, "0")}`, user: user(), dataEnd };
      return { t, row: ticketRow(day, random, t, ids, format) };
    });
    await csv("support", tickets);
  }
  for (const writer of writers.values()) await writer.close();

  const incident = days.find((d) => d.incident);
  return {
    files: (Object.keys(FILE_NAMES) as SourceName[]).map((source) => ({
      source,
      file: path.join(options.outDir, FILE_NAMES[source]),
      rows: written.get(source) ?? 0,
    })),
    incidentDay: incident ? incident.date.toString() : "none",
  };
}

// ---------------------------------------------------------------------------------------------

function shopDay(day: SampleDay, options: SampleOptions): ShopDay {
  const lastFullMonday = lastMonday(options.end);
  const inLastWeek =
    Temporal.PlainDate.compare(day.date, lastFullMonday) >= 0 &&
    Temporal.PlainDate.compare(day.date, options.end) < 0;
  const calm = options.scenario?.calm === true;
  return {
    ...day,
    lastWeek:
      !calm && inLastWeek && Temporal.PlainDate.compare(lastFullMonday.add({ days: 7 }), options.end) <= 0,
    incident: !calm && day.date.equals(lastFullMonday.add({ days: 1 })),
    planted: plantedOn(day.date, options.scenario?.plants ?? []),
  };
}

function plantedOn(date: Temporal.PlainDate, plants: readonly Plant[]): Planted {
  const planted: Planted = { errors: null, slower: null, conversion: 1, volume: 1 };
  for (const plant of plants) {
    const on =
      Temporal.PlainDate.compare(date, Temporal.PlainDate.from(plant.from)) >= 0 &&
      Temporal.PlainDate.compare(date, Temporal.PlainDate.from(plant.to)) < 0;
    if (!on) continue;
    if (plant.kind === "errors") planted.errors = { service: plant.service, share: plant.share };
    else if (plant.kind === "slower") planted.slower = { url: plant.url, factor: plant.factor };
    else planted[plant.kind] *= plant.factor;
  }
  return planted;
}

/** The Monday that starts the last full week before `end` (exclusive). */
function lastMonday(end: Temporal.PlainDate): Temporal.PlainDate {
  const lastDay = end.subtract({ days: 1 });
  const monday = lastDay.subtract({ days: lastDay.dayOfWeek - 1 });
  return lastDay.dayOfWeek === 7 ? monday : monday.subtract({ days: 7 });
}

/** Rows as they arrive from real systems now and then: a bad time, a bad number, a short row. */
function maybeBreak(
  row: (string | number)[],
  source: SourceName,
  random: Random,
  rate: number,
): (string | number)[] {
  if (!random.chance(rate)) return row;
  const broken = [...row];
  const header = HEADERS[source as Exclude<SourceName, "sessions">] as readonly string[];
  const timeColumn = header.findIndex((c) => c === "timestamp" || c.endsWith("_time") || c === "created_at");
  switch (random.int(0, 2)) {
    case 0:
      broken[timeColumn] = random.pick(["yesterday", "2026-13-01T10:00", "17/11/2026 10:00", "1763370000"]);
      return broken;
    case 1: {
      const numeric = header.findIndex((c) =>
        [
          "status_code",
          "response_time_ms",
          "load_time_ms",
          "items_in_cart",
          "total_value",
          "rating",
          "csat",
        ].includes(c),
      );
      if (numeric >= 0) {
        broken[numeric] = random.pick(["-1", "12ms", "NaN", "2.5", "999"]);
        return broken;
      }
      broken[0] = "";
      return broken;
    }
    default:
      return broken.slice(0, -1);
  }
}

function breakEvent(event: SessionEventOut, random: Random, rate: number): string {
  const line = JSON.stringify(event);
  if (!random.chance(rate)) return line;
  switch (random.int(0, 2)) {
    case 0:
      return line.slice(0, Math.floor(line.length / 2));
    case 1:
      return JSON.stringify({ ...event, session_id: undefined });
    default:
      return JSON.stringify({ ...event, event_time: "soon" });
  }
}
