import { metricInfo } from "../metrics/catalog.js";
import type { Finding, TableRow } from "../types.js";
import {
  formatChange,
  formatCount,
  formatMs,
  formatPoints,
  formatRate,
  formatRatesFor,
} from "../util/format.js";
import { type FigureView, type Observation, resultViews } from "./evidence.js";
import { baselineOf, certaintyPhrase, judgeChange, singleEvidence } from "./judge.js";
import { observe, observeRow } from "./observe.js";
import { comparedWith, periodNoun, phraseDay, phraseValue } from "./phrase.js";
import type { Rule, RuleContext } from "./rules.js";
import { excessTest } from "./stats.js";

/**
 * The headline figures whose change is worth a sentence. Who reads about which is up to the
 * templates (their `findings` key).
 */
const WATCHED: readonly string[] = [
  "funnel.conversion",
  "funnel.order_placed",
  "sessions.count",
  "carts.value_lost",
  "api.availability",
  "api.error_rate",
  "api.latency_p95_ms",
  "pages.load_p75_ms",
  "feedback.rating_mean",
  "feedback.mismatch_rate",
  "support.created",
  "support.backlog",
  "support.resolution_median_h",
  "support.csat_mean",
];

/** What each figure is counted in, for "too few tickets to tell". */
const NOUNS: Record<string, string> = {
  "funnel.conversion": "sessions",
  "funnel.order_placed": "orders",
  "sessions.count": "sessions",
  "carts.value_lost": "carts",
  "api.availability": "requests",
  "api.error_rate": "requests",
  "api.latency_p95_ms": "requests",
  "pages.load_p75_ms": "page loads",
  "feedback.rating_mean": "responses",
  "feedback.mismatch_rate": "responses",
  "support.created": "tickets",
  "support.backlog": "tickets",
  "support.resolution_median_h": "tickets",
  "support.csat_mean": "CSAT answers",
};

/**
 * "Checkout conversion fell from 26 % to 22 % (−4.3 pts) week over week and below its median of
 * the last 4 weeks (25 %); very likely a real change": a watched figure that moved by at least the
 * configured points (rates) or share (everything else) against the period before or its baseline,
 * judged by the test fit for it against the baseline when there is one (`judgeChange`). One that
 * does not pass is kept as a movement within normal variation.
 */
export const metricChanges: Rule = (context) => {
  const { results, period, thresholds, currency } = context;
  const [now, before] = resultViews(results, period);
  return WATCHED.flatMap((id): Finding[] => {
    const output = results.get(id);
    if (output?.kind !== "scalar" || typeof output.value !== "number" || typeof output.previous !== "number")
      return [];
    const { value, previous } = output;
    const info = metricInfo(id);
    const current = observe(id, now);
    const last = observe(id, before, now);
    if (current === null || last === null) return [];
    const baseline = baselineOf(earlierObservations(id, context, before, now), thresholds);
    const median = baseline?.observation.value ?? null;
    const sinceLast = move(info.unit, value, previous, thresholds);
    const sinceUsual = median === null ? null : move(info.unit, value, median, thresholds);
    if (Math.max(sinceLast.size, sinceUsual?.size ?? 0) < 1) return [];
    // The reference decides: the baseline when there is one, else the period before.
    const decisive = sinceUsual ?? sinceLast;
    const reference = median ?? previous;
    if (value === reference) return [];
    const worse = info.better === null ? null : value > reference !== (info.better === "up");
    const judged = judgeChange({ current, previous: last, baseline, size: decisive.size, worse, thresholds });
    // A rate is written at the precision of the points it moved by, so the numbers add up.
    const phrase = (v: number) =>
      info.unit === "rate"
        ? (formatRatesFor(
            [v],
            Math.min(Math.abs(value - previous), Math.abs(value - (median ?? previous))) || 1,
          )[0] as string)
        : phraseValue(v, info.unit, currency);
    const certainty = certaintyPhrase(judged.evidence, NOUNS[id], judged.passed);
    const usual =
      baseline === null
        ? ""
        : `its median of the last ${baseline.periods.length} ${periodNoun(period, baseline.periods.length)}`;
    const moved = sinceLast.size >= 1 && value !== previous;
    let text: string;
    if (
      median === null ||
      sinceUsual === null ||
      (moved && (sinceUsual.size < 1 || value > median === value > previous))
    ) {
      // "fell from 26 % to 22 % (−4.3 pts) week over week", and where that leaves it.
      const verb = value > previous ? "rose" : "fell";
      const change = sinceLast.change === "" ? "" : ` (${sinceLast.change})`;
      let against = "";
      if (median !== null && sinceUsual !== null)
        against =
          sinceUsual.size < 1
            ? `, close to ${usual} (${phrase(median)})`
            : ` and ${value > median ? "above" : "below"} ${usual} (${phrase(median)})`;
      text = `${info.label} ${verb} from ${phrase(previous)} to ${phrase(value)}${change} ${comparedWith(period)}${against}; ${certainty}`;
    } else {
      // Away from its usual level, whatever it did since the period before (little, or the other way).
      const against =
        sinceUsual.change === "" ? (value > median ? "above" : "below") : `${sinceUsual.change} against`;
      text = `${info.label}: ${phrase(value)}, ${against} ${usual} (${phrase(median)}; ${phrase(previous)} the ${periodNoun(period, 1)} before); ${certainty}`;
    }
    return [
      {
        id: `change:${id}`,
        topic: "change",
        severity: judged.severity,
        text,
        metrics: [id],
        weight: decisive.size,
        evidence: judged.evidence,
        ...(judged.passed ? {} : { variation: true }),
      },
    ];
  });
};

/**
 * "/checkout loads 58 % slower (p75 2.9 s, was 1.8 s); very likely a real change": a page whose
 * p75, or an API endpoint whose p95, rose by at least `slower_share`, judged like a figure's change
 * on its own loads or requests. Faster ones are not findings.
 */
export const slowerParts: Rule = (context) => {
  const { results, thresholds } = context;
  const parts = [
    { metric: "pages.by_url", key: "url", column: "p75_ms", count: "loads", verb: "loads", label: "p75" },
    {
      metric: "api.by_endpoint",
      key: "endpoint",
      column: "p95_ms",
      count: "requests",
      verb: "answers",
      label: "p95",
    },
  ] as const;
  return parts.flatMap((part) => {
    const output = results.get(part.metric);
    if (output?.kind !== "table") return [];
    // Every page (endpoint) with loads in both periods is tested: held together to alpha.
    const compared = output.rows.filter((row) =>
      output.previousRows.some((r) => r[part.key] === row[part.key]),
    );
    return output.rows.flatMap((row): Finding[] => {
      const was = output.previousRows.find((r) => r[part.key] === row[part.key]);
      const now = row[part.column];
      const then = was?.[part.column];
      if (was === undefined || typeof now !== "number" || typeof then !== "number" || !(then > 0)) return [];
      const rise = now / then - 1;
      if (rise < thresholds.slower_share) return [];
      const current = observeRow(row, part.column, part.count);
      const previous = observeRow(was, part.column, part.count);
      if (current === null || previous === null) return [];
      const size = rise / thresholds.slower_share;
      const judged = judgeChange({
        current,
        previous,
        size,
        worse: true,
        thresholds,
        tests: compared.length,
      });
      const name = String(row[part.key]);
      return [
        {
          id: `slower:${part.key}:${name}`,
          topic: "slower",
          severity: judged.severity,
          text: `${name} ${part.verb} ${howMuch(rise)} slower (${part.label} ${formatMs(now)}, was ${formatMs(then)}) ${comparedWith(context.period)}; ${certaintyPhrase(judged.evidence, part.count === "loads" ? "page loads" : "requests", judged.passed)}`,
          metrics: [part.metric],
          weight: size,
          evidence: judged.evidence,
          ...(judged.passed ? {} : { variation: true }),
        },
      ];
    });
  });
};

/**
 * "payment-api returned 5xx on 17 % of requests on Tue, 10 Nov 2026 (31 of 180; its usual rate
 * 0.4 %)": a service-day with at least the minimum requests and 5xx responses, a 5xx share of at
 * least the minimum rate and `incident_factor` times the service's usual rate (its other days of
 * this period and the one before, pooled), and more 5xx than that rate would give but with a
 * probability under `incident_alpha` (one-sided exact binomial). Critical when it is also large:
 * at least twice the minimum errors and twice the minimum rate.
 */
export const apiIncidents: Rule = ({ results, thresholds }) => {
  const output = results.get("api.daily_by_service");
  if (output?.kind !== "table") return [];
  const all = [...output.rows, ...output.previousRows];
  const findings: Finding[] = [];
  for (const row of output.rows) {
    const requests = row.requests as number;
    const errors = row.server_errors as number;
    const rate = row.server_error_rate as number;
    if (requests < thresholds.incident_min_requests || errors < thresholds.incident_min_errors) continue;
    if (rate < thresholds.incident_min_rate) continue;
    const others = all.filter((r) => r.service === row.service && r !== row);
    const otherRequests = sum(others, "requests");
    // Its usual rate, with one error and one success added so a service that never failed has a
    // small rate rather than none.
    const usual = (sum(others, "server_errors") + 1) / (otherRequests + 2);
    if (rate < thresholds.incident_factor * usual) continue;
    const test = excessTest(errors, requests, usual);
    if (test === null || test.pValue >= thresholds.incident_alpha) continue;
    const evidence = {
      ...singleEvidence(test, { server_errors: errors, requests }),
      previous: { usual_rate: usual, other_requests: otherRequests, p_value: test.pValue },
    };
    findings.push({
      id: `incident:${row.service}:${row.day}`,
      topic: "incident",
      severity:
        errors >= 2 * thresholds.incident_min_errors && rate >= 2 * thresholds.incident_min_rate
          ? "critical"
          : "warning",
      text: `${row.service} returned 5xx on ${formatRate(rate)} of requests on ${phraseDay(row.day as string)} (${formatCount(errors)} of ${formatCount(requests)}; its usual rate: ${formatRate(usual)}); ${certaintyPhrase(evidence)}`,
      metrics: ["api.daily_by_service"],
      weight: rate * 100,
      evidence,
    });
  }
  return findings;
};

// ---------------------------------------------------------------------------------------------

/** The figure in the period before and the earlier ones the archive has, newest first. */
function earlierObservations(
  id: string,
  context: RuleContext,
  before: FigureView,
  now: FigureView,
): { id: string; observation: Observation }[] {
  return [before, ...(context.earlier ?? [])].flatMap((view) => {
    const observation = observe(id, view, now);
    return observation === null ? [] : [{ id: view.id, observation }];
  });
}

interface Move {
  /** 1 is the threshold. */
  size: number;
  /** "−4.3 pts", "+12 %". */
  change: string;
}

/**
 * A move from `from` to `to` against its threshold: points for a rate, a share otherwise. From 0
 * there is no share: any move counts as a large one (`critical_size`) and is said without one.
 */
function move(unit: string, to: number, from: number, thresholds: RuleContext["thresholds"]): Move {
  const delta = to - from;
  if (unit === "rate")
    return { size: Math.abs(delta * 100) / thresholds.change_points, change: formatPoints(delta) };
  if (from === 0) return { size: to === 0 ? 0 : thresholds.critical_size, change: "" };
  return { size: Math.abs(delta / from) / thresholds.change_share, change: formatChange(delta / from) };
}

/** "58 %" up to doubling, then "2.5×". */
function howMuch(rise: number): string {
  return rise < 1 ? `${Math.round(rise * 100)} %` : `${(1 + rise).toFixed(1).replace(/\.0$/, "")}×`;
}

function sum(rows: readonly TableRow[], column: string): number {
  return rows.reduce((a, r) => a + (r[column] as number), 0);
}
