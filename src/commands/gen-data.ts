import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { ReportsError } from "../errors.js";
import { generateSample } from "../sample/generate.js";
import { isValidTimeZone } from "../time/timestamp.js";
import { shownPath } from "./context.js";

export interface GenDataOptions {
  out: string;
  days: string;
  rowsPerDay: string;
  seed: string;
  end?: string;
  timezone: string;
  badRows: string;
}

/** `reports gen-data`: writes a deterministic sample of all eight sources. */
export async function genDataCommand(options: GenDataOptions, print: (text: string) => void): Promise<void> {
  if (!isValidTimeZone(options.timezone))
    throw new ReportsError("usage", `--timezone ${options.timezone}: not a known IANA time zone`);
  const end = options.end === undefined ? thisMonday(options.timezone) : plainDate("--end", options.end);
  const sample = {
    outDir: path.resolve(options.out),
    days: integer("--days", options.days, 1, 3660),
    rowsPerDay: integer("--rows-per-day", options.rowsPerDay, 1, 10_000_000),
    seed: integer("--seed", options.seed, 0, 2 ** 31 - 1),
    end,
    timezone: options.timezone,
    badRowRate: fraction("--bad-rows", options.badRows),
  };
  const result = await generateSample(sample);
  const first = end.subtract({ days: sample.days });
  print(
    `sample: ${sample.days} days from ${first} to ${end} (exclusive), ${options.timezone}, seed ${sample.seed}`,
  );
  print(`payment incident on ${result.incidentDay}`);
  for (const f of result.files) print(`  ${shownPath(f.file)}: ${f.rows} rows`);
}

// ---------------------------------------------------------------------------------------------

function thisMonday(timeZone: string): Temporal.PlainDate {
  const today = Temporal.Now.plainDateISO(timeZone);
  return today.subtract({ days: today.dayOfWeek - 1 });
}

function plainDate(option: string, text: string): Temporal.PlainDate {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text))
    throw new ReportsError("usage", `${option} ${text}: not a date (YYYY-MM-DD)`);
  try {
    return Temporal.PlainDate.from(text, { overflow: "reject" });
  } catch {
    throw new ReportsError("usage", `${option} ${text}: not a valid date`);
  }
}

function integer(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ReportsError("usage", `${option} ${text}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function fraction(option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ReportsError("usage", `${option} ${text}: expected a share from 0 to 1 (0.002 = 0.2 %)`);
  }
  return value;
}
