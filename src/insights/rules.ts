import type { Config } from "../config/schema.js";
import { sourceMetricIds } from "../metrics/catalog.js";
import { compareKeys } from "../metrics/counter.js";
import { stepLabel } from "../metrics/sessions.js";
import { NO_ERROR_REASON } from "../metrics/sessions-summary.js";
import { previousPeriod } from "../time/periods.js";
import type { Finding, MetricResults, Period, TableRow } from "../types.js";
import { formatChange, formatCount, formatMs, formatRate } from "../util/format.js";
import { apiIncidents, metricChanges, slowerParts } from "./change-rules.js";
import type { SourceCoverage } from "./coverage.js";
import { describeGaps, describePreviousGaps } from "./coverage-text.js";
import type { FigureView } from "./evidence.js";
import { singleEvidence } from "./judge.js";
import { excessTest } from "./stats.js";

/** What a rule sees: the metric results, the period, and the thresholds of the configuration. */
export interface RuleContext {
  results: MetricResults;
  period: Period;
  thresholds: Config["findings"];
  sla: Config["support"]["sla_hours"];
  /** The configuration's currency, for sentences about money. */
  currency: string;
  /** Each source's coverage of the period (insights/coverage.ts); none: every source taken as complete. */
  coverage?: readonly SourceCoverage[];
  /**
   * The figures of the periods before the previous one, newest first, from earlier reports'
   * metrics.json (run/baseline.ts): with the period before, the baseline a change is judged against.
   */
  earlier?: readonly FigureView[];
}

export type Rule = (context: RuleContext) => Finding[];

/** "API availability was 99.2 %, below the 99.5 % target". */
export const availabilityTarget: Rule = ({ results, thresholds }) => {
  const output = results.get("api.availability");
  if (
    output?.kind !== "scalar" ||
    typeof output.value !== "number" ||
    output.value >= thresholds.availability_target
  )
    return [];
  // Critical only when the 5xx are certainly more than the target allows (one-sided exact
  // binomial against the target's error budget); a shop that runs right at its target misses it
  // by chance about every other week, and that is a warning.
  const requests = scalarNumber(results, "api.requests");
  const errors = scalarNumber(results, "api.server_errors");
  const test = excessTest(errors, requests, 1 - thresholds.availability_target);
  const certain = test !== null && test.pValue < thresholds.critical_alpha;
  return [
    {
      id: "target:api.availability",
      topic: "target",
      severity: certain ? "critical" : "warning",
      evidence: singleEvidence(test, { server_errors: errors, requests }),
      text: `API availability was ${formatRate(output.value)}, below the ${formatRate(thresholds.availability_target)} target`,
      metrics: ["api.availability"],
      weight: (thresholds.availability_target - output.value) * 1000,
    },
  ];
};

/** "Top reason shoppers did not order: /checkout - Payment declined (9 sessions)". */
export const topLossReason: Rule = ({ results }) => {
  const top = rowsOf(results, "funnel.loss_reasons").find((r) => r.reason !== NO_ERROR_REASON);
  if (top === undefined) return [];
  const sessions = top.sessions as number;
  return [
    {
      id: "funnel:top-loss-reason",
      topic: "funnel",
      severity: "warning",
      text: `Top reason shoppers did not order: ${top.reason} (${formatCount(sessions)} ${sessions === 1 ? "session" : "sessions"})`,
      metrics: ["funnel.loss_reasons"],
      weight: sessions,
    },
  ];
};

/** "Most shoppers are lost before “Added to cart”: 196 of 375 sessions (52 %)". */
export const largestDrop: Rule = ({ results }) => {
  const details = rowsOf(results, "funnel.step_details");
  const step = results.get("funnel.largest_drop_step");
  if (step?.kind !== "scalar" || typeof step.value !== "string") return [];
  const index = details.findIndex((r) => r.step === step.value);
  const row = details[index];
  const before = details[index - 1];
  if (row === undefined || before === undefined || (row.dropped as number) === 0) return [];
  return [
    {
      id: "funnel:largest-drop",
      topic: "funnel",
      severity: "info",
      text: `Most shoppers are lost before \u201C${stepLabel(String(row.step))}\u201D: ${formatCount(row.dropped as number)} of ${formatCount(before.sessions as number)} sessions (${formatRate(row.drop_share as number)})`,
      metrics: ["funnel.step_details", "funnel.largest_drop_step"],
      weight: row.drop_share as number,
    },
  ];
};

/** "/checkout is the slowest page (p75 1.5 s, +20 %)": by p75, with its change when it had loads before. */
export const slowestPage: Rule = ({ results }) => {
  const output = results.get("pages.by_url");
  if (output?.kind !== "table" || output.rows.length === 0) return [];
  const slowest = [...output.rows].sort(
    (a, b) => (b.p75_ms as number) - (a.p75_ms as number) || compareKeys(a.url ?? null, b.url ?? null),
  )[0] as TableRow;
  const before = output.previousRows.find((r) => r.url === slowest.url);
  const p75 = slowest.p75_ms as number;
  const change =
    before && typeof before.p75_ms === "number" && before.p75_ms > 0
      ? `, ${formatChange(p75 / before.p75_ms - 1)}`
      : "";
  return [
    {
      id: "pages:slowest",
      topic: "pages",
      severity: "info",
      text: `${slowest.url} is the slowest page (p75 ${formatMs(p75)}${change})`,
      metrics: ["pages.by_url"],
      weight: p75 / 1000,
    },
  ];
};

/** "7 urgent tickets breached their 4 h SLA", per priority with breaches. */
export const slaBreaches: Rule = ({ results }) =>
  rowsOf(results, "support.by_priority")
    .filter((r) => (r.breaches as number) > 0)
    .map((r) => {
      const urgent = r.priority === "urgent" || r.priority === "high";
      const n = r.breaches as number;
      return {
        id: `sla:${r.priority}`,
        topic: "sla",
        // Warning, not info, so a template can take only the breaches that need a manager.
        severity: urgent ? "warning" : "info",
        text: `${formatCount(n)} ${r.priority === "urgent" ? "urgent" : `${r.priority}-priority`} ${n === 1 ? "ticket" : "tickets"} breached ${n === 1 ? "its" : "their"} ${r.sla_h} h SLA`,
        metrics: ["support.by_priority"],
        weight: n * ({ urgent: 3, high: 2 }[r.priority as string] ?? 1),
      } satisfies Finding;
    });

/**
 * "A shopper rated 5 out of 5 but wrote: “Checkout crashed twice”": the earliest comment whose
 * tone contradicts its rating, quoted (cut at 160 characters). The text is the shopper's own, so
 * every medium that shows it must escape it.
 */
export const mismatchQuote: Rule = ({ results }) => {
  const example = rowsOf(results, "feedback.mismatch_examples").find(
    (r) => r.rating_class !== "neutral" && r.text_class !== "neutral",
  );
  if (example === undefined) return [];
  const text = String(example.text);
  const quote = text.length > 160 ? `${text.slice(0, 159)}…` : text;
  return [
    {
      id: "feedback:mismatch-quote",
      topic: "feedback",
      severity: "info",
      text: `A shopper rated ${example.rating} out of 5 but wrote: \u201C${quote}\u201D`,
      metrics: ["feedback.mismatch_examples"],
      weight: 0,
    },
  ];
};

/**
 * "API data ends Wed 11 Nov 2026, 23:58: Thu 12 Nov 2026 – Sun 15 Nov 2026 have no API rows; API
 * figures cover 3 of 7 days": a critical finding per source whose rows do not cover the period,
 * about every metric of that source (so it reaches every report that shows one).
 */
export const completeness: Rule = ({ coverage, period }) => [
  ...(coverage ?? [])
    .filter((c) => !c.complete)
    .map(
      (c): Finding => ({
        id: `completeness:${c.source}`,
        topic: "completeness",
        severity: "critical",
        text: describeGaps(c, period),
        metrics: sourceMetricIds(c.source),
        // Before every other critical finding: the reader must know what the figures miss.
        weight: 1e9,
      }),
    ),
  // The period before has gaps: this period's figures stand, their comparisons do not.
  ...(coverage ?? [])
    .filter((c) => c.complete && c.previousGaps.length > 0)
    .map(
      (c): Finding => ({
        id: `completeness:${c.source}:previous`,
        topic: "completeness",
        severity: "warning",
        text: describePreviousGaps(c, previousPeriod(period)),
        metrics: sourceMetricIds(c.source),
        weight: 1e9,
      }),
    ),
];

export const RULES: Rule[] = [
  completeness,
  metricChanges,
  apiIncidents,
  slowerParts,
  availabilityTarget,
  topLossReason,
  largestDrop,
  slowestPage,
  slaBreaches,
  mismatchQuote,
];

// ---------------------------------------------------------------------------------------------

function scalarNumber(results: MetricResults, id: string): number {
  const output = results.get(id);
  return output?.kind === "scalar" && typeof output.value === "number" ? output.value : 0;
}

function rowsOf(results: MetricResults, id: string): TableRow[] {
  const output = results.get(id);
  return output?.kind === "table" ? output.rows : [];
}
