import path from "node:path";
import { parseConfig } from "../src/config/load.js";
import { audienceDisplayName } from "../src/config/names.js";
import type { Config } from "../src/config/schema.js";
import { createEngine } from "../src/engine/engines.js";
import { deriveFindings } from "../src/insights/findings.js";
import { buildChart } from "../src/render/charts/chart-kinds.js";
import { renderChartPng, rendererCount } from "../src/render/charts/renderer.js";
import { renderAudienceReport } from "../src/render/report.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../src/render/templates/load.js";
import { parsePeriodSpec, previousPeriod } from "../src/time/periods.js";

/**
 * Rendering costs, on the committed sample: (1) RSS over 500 charts in one process (it must stay
 * flat: one renderer per canvas size), (2) time to render the four reports from computed
 * metrics, median of 7 warm runs, and the first (cold) one.
 * Usage: npm run bench:render   (runs node with --expose-gc)
 */
const root = path.resolve(import.meta.dirname, "..");
const config = parseConfig({ timezone: "Europe/Paris" }).config as Config;
const period = parsePeriodSpec("2026-W46", "Europe/Paris", Date.now());
const previous = previousPeriod(period);
const { results, sources } = await createEngine("files").compute({
  config,
  dataDir: path.join(root, "data/sample"),
  timeZone: "Europe/Paris",
  periods: { period, previous },
});
const findings = deriveFindings({
  results,
  period,
  thresholds: config.findings,
  sla: config.support.sla_hours,
  currency: config.currency,
});
const templates = await loadTemplates(
  BUNDLED_TEMPLATES,
  config.audiences,
  config.funnel.steps.map((s) => s.name),
);

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rssMb = () => {
  gc();
  return Math.round(process.memoryUsage().rss / 1e5) / 10;
};

async function renderAll(): Promise<number> {
  const started = performance.now();
  for (const [audience, template] of templates) {
    await renderAudienceReport({
      audience,
      audienceName: audienceDisplayName(audience, config.audiences[audience]),
      template,
      period,
      previous,
      generatedAt: Date.now(),
      pageSize: "A4",
      results,
      findings,
      sources,
      rejectLimit: 0.05,
      currency: config.currency,
    });
  }
  return performance.now() - started;
}

const cold = await renderAll();
const warm: number[] = [];
for (let i = 0; i < 7; i++) warm.push(await renderAll());
warm.sort((a, b) => a - b);
console.log(
  `four reports: cold ${Math.round(cold)} ms, warm median ${Math.round(warm[3] as number)} ms (min ${Math.round(warm[0] as number)}, max ${Math.round(warm[6] as number)})`,
);

const specs = [
  { chart: "funnel", metric: "funnel.steps", size: [499, 220] },
  { chart: "timeseries", metric: "api.hourly", size: [499, 200] },
  { chart: "percentiles", metric: "api.by_service", size: [499, 220] },
  { chart: "donut", metric: "funnel.loss_reasons", label: "reason", value: "sessions", size: [499, 220] },
  { chart: "ranked", metric: "sessions.search_terms", label: "term", value: "count", size: [300, 180] },
] as const;
const samples: string[] = [];
const started = performance.now();
for (let i = 1; i <= 500; i++) {
  const spec = specs[i % specs.length] as (typeof specs)[number];
  const built = buildChart(spec, results.get(spec.metric), period);
  if (built === null) throw new Error(`no chart for ${spec.metric}`);
  await renderChartPng(built.config, spec.size[0], spec.size[1]);
  if (i === 1 || i % 100 === 0) samples.push(`${i}: ${rssMb()} MB`);
}
console.log(
  `500 charts in ${Math.round(performance.now() - started)} ms with ${rendererCount()} renderers; RSS after ${samples.join(", ")}`,
);
