import { readFile } from "node:fs/promises";
import path from "node:path";
import { type FigureView, periodHours } from "../insights/evidence.js";
import { metricSource } from "../metrics/catalog.js";
import { previousPeriod } from "../time/periods.js";
import type { Period, ScalarValue, TableRow } from "../types.js";

/** What is read of an earlier report's metrics.json. */
interface ArchivedMetrics {
  period?: { from?: string; to?: string };
  previous?: { from?: string; to?: string };
  metrics?: Record<string, { value?: ScalarValue; previous?: ScalarValue; rows?: TableRow[] }>;
  sources?: Record<string, { coverage?: { complete?: boolean; previous_complete?: boolean } }>;
}

/**
 * The figures of the `count` periods before the previous one (which this run has itself), newest
 * first, from the reports already written under `outDir`: each period's own metrics.json, or the
 * "previous" figures of the report after it. A period no report covers is left out, and so are a
 * source's figures where that report found its rows incomplete. A missing or unreadable file is
 * no error: the baseline is then shorter, and a change is judged against what there is.
 */
export async function readEarlierPeriods(
  outDir: string,
  period: Period,
  count: number,
): Promise<FigureView[]> {
  const periods: Period[] = [];
  let p = previousPeriod(period);
  for (let i = 0; i < count; i += 1) {
    p = previousPeriod(p);
    periods.push(p);
  }
  const files = new Map<string, ArchivedMetrics | null>();
  const load = async (id: string) => {
    if (!files.has(id)) files.set(id, await readArchived(path.join(outDir, id, "metrics.json")));
    return files.get(id) ?? null;
  };
  const views: FigureView[] = [];
  for (const [i, target] of periods.entries()) {
    const own = await load(target.id);
    if (own !== null && Date.parse(own.period?.from ?? "") === target.from) {
      views.push(archivedView(target, own, "value"));
      continue;
    }
    const after = i === 0 ? previousPeriod(period) : (periods[i - 1] as Period);
    const next = await load(after.id);
    if (next !== null && Date.parse(next.previous?.from ?? "") === target.from)
      views.push(archivedView(target, next, "previous"));
  }
  return views;
}

async function readArchived(file: string): Promise<ArchivedMetrics | null> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as ArchivedMetrics) : null;
  } catch {
    return null;
  }
}

function archivedView(period: Period, json: ArchivedMetrics, which: "value" | "previous"): FigureView {
  const complete = (metric: string) => {
    const coverage = json.sources?.[metricSource(metric) ?? ""]?.coverage;
    return which === "value" ? coverage?.complete !== false : coverage?.previous_complete !== false;
  };
  return {
    id: period.id,
    hours: periodHours(period),
    scalar: (id) => (complete(id) ? json.metrics?.[id]?.[which] : undefined),
    rows: (id) => (which === "value" && complete(id) ? json.metrics?.[id]?.rows : undefined),
  };
}
