import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { MetricContext, MetricModule } from "../../src/metrics/module.js";
import { parsePeriodRange, parsePeriodSpec, previousPeriod } from "../../src/time/periods.js";
import type { MetricOutput, ScalarValue, SourceName, TableRow } from "../../src/types.js";

/** A context for a period spec (`2026-W46`) or a [from, to) pair, in a zone. */
export function contextFor(
  period: string | [string, string],
  timeZone = "UTC",
  overrides: object = {},
): MetricContext {
  const parsed = parseConfig({ timezone: timeZone, ...overrides });
  if (parsed.config === null) throw new Error(parsed.errors.join("; "));
  const p =
    typeof period === "string"
      ? parsePeriodSpec(period, timeZone, Date.now())
      : parsePeriodRange(period[0], period[1], timeZone);
  return { period: p, previous: previousPeriod(p), timeZone, config: parsed.config as Config };
}

/** Runs a module over records in one pass. */
export function run<S extends SourceName, St>(
  module: MetricModule<S, St>,
  records: Parameters<MetricModule<S, St>["add"]>[1][],
) {
  const state = module.init();
  for (const record of records) module.add(state, record);
  return module.result(state);
}

export function scalarOf(
  outputs: Record<string, MetricOutput>,
  id: string,
): { value: ScalarValue; previous: ScalarValue } {
  const output = outputs[id];
  if (output?.kind !== "scalar") throw new Error(`${id} is not a scalar output`);
  return { value: output.value, previous: output.previous };
}

export function rowsOf(outputs: Record<string, MetricOutput>, id: string): TableRow[] {
  const output = outputs[id];
  if (output?.kind !== "table") throw new Error(`${id} is not a table output`);
  return output.rows;
}

/** Epoch ms of an ISO time with a zone. */
export const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test time ${iso}`);
  return t;
};
