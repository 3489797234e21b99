import type { Config } from "../../src/config/schema.js";
import { createEngine } from "../../src/engine/engines.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import { type RunResult, runReports } from "../../src/run/run-reports.js";
import { parsePeriodSpec } from "../../src/time/periods.js";

/** "Now" and the generation time of the runs below: Monday 16 November 2026, 07:00 UTC. */
export const GENERATED_AT = Date.parse("2026-11-16T07:00:00Z");

/**
 * One run of the pipeline as `reports run --period` makes it: the file engine, the bundled
 * templates, the configuration's time zone; every audience unless `audiences` names some.
 */
export async function runPeriod(options: {
  config: Config;
  dataDir: string;
  outDir: string;
  period: string;
  audiences?: string[];
}): Promise<RunResult> {
  const { config } = options;
  return runReports({
    config,
    engine: createEngine("files"),
    dataDir: options.dataDir,
    outDir: options.outDir,
    timeZone: config.timezone,
    period: parsePeriodSpec(options.period, config.timezone, GENERATED_AT),
    now: GENERATED_AT,
    generatedAt: GENERATED_AT,
    templates: await loadTemplates(
      BUNDLED_TEMPLATES,
      config.audiences,
      config.funnel.steps.map((s) => s.name),
    ),
    ...(options.audiences === undefined ? {} : { audiences: options.audiences }),
  });
}
