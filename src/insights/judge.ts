import type { Config } from "../config/schema.js";
import type { Evidence, Severity } from "../types.js";
import { formatCount } from "../util/format.js";
import { compareObservations, countsOf, medianObservation, type Observation } from "./evidence.js";
import type { TestResult } from "./stats.js";

/**
 * How sure a change is, from its p-value: the words every finding carries (docs/metrics.md "How
 * sure a finding is"). They depend on the evidence only, not on the configured thresholds.
 */
export function certaintyOf(p: number | null): Evidence["certainty"] {
  if (p === null) return "too few to tell";
  if (p < 0.001) return "very likely";
  if (p < 0.01) return "likely";
  if (p < 0.05) return "possibly";
  return "could be chance";
}

/**
 * The words after a change: "very likely a real change", "too few tickets to tell". `passed`
 * false: the configured alpha did not let it through, which a certainty short of it says.
 */
export function certaintyPhrase(evidence: Evidence, noun = "values", passed = true): string {
  switch (evidence.certainty) {
    case "very likely":
    case "likely":
    case "possibly":
      return `${evidence.certainty} a real change${passed ? "" : ", but not certain enough to report"}`;
    case "could be chance":
      return "could well be chance";
    case "too few to tell": {
      const n = evidence.smallest_n;
      return n === undefined ? `too few ${noun} to tell` : `too few ${noun} to tell (${formatCount(n)})`;
    }
  }
}

/** A change judged: its severity, whether it passed, and the numbers behind it. */
export interface Judged {
  severity: Severity;
  /** False: it moved past its threshold but the data cannot tell it from chance. */
  passed: boolean;
  evidence: Evidence;
}

/** The median of the last periods, the period before first: the reference of a change when known. */
export interface Baseline {
  periods: string[];
  observation: Observation;
}

/**
 * The typical period of the figure's last periods (`earlier`, the period before first, at most
 * `baseline_periods`), or null when fewer than 3 of them are known (or the configuration asks for
 * fewer): then the period before is the reference.
 */
export function baselineOf(
  earlier: readonly { id: string; observation: Observation }[],
  thresholds: Config["findings"],
): Baseline | null {
  const used = earlier.slice(0, thresholds.baseline_periods);
  if (thresholds.baseline_periods < 3 || used.length < 3) return null;
  const observation = medianObservation(used.map((e) => e.observation));
  return observation === null ? null : { periods: used.map((e) => e.id), observation };
}

/**
 * Judges a figure's move against its reference: the baseline when there is one (so one odd
 * period before does not make this one look like a change, nor hide one), else the period before.
 * `size` and `worse` are the move against that reference (`size` 1 is the threshold). It passes
 * when the move is past its threshold and the test gives p below `alpha` (divided by `tests` when
 * it is one of several alike, as the pages of a table). A worse change that passes is a warning;
 * critical when p is also below `critical_alpha` and the move `critical_size` times its
 * threshold. An improvement that passes is info; `worse` null (no better direction) too.
 */
export function judgeChange(input: {
  current: Observation;
  previous: Observation;
  baseline?: Baseline | null;
  size: number;
  worse: boolean | null;
  thresholds: Config["findings"];
  tests?: number;
}): Judged {
  const { current, previous, thresholds } = input;
  const minN = thresholds.min_observations;
  const baseline = input.baseline ?? null;
  const vsPrevious = compareObservations(current, previous, minN);
  const vsBaseline = baseline === null ? null : compareObservations(current, baseline.observation, minN);
  const decisive = baseline === null ? vsPrevious : vsBaseline;
  const p = decisive?.pValue ?? null;
  const tests = Math.max(1, input.tests ?? 1);
  const passed = p !== null && input.size >= 1 && p < thresholds.alpha / tests;
  const evidence: Evidence = {
    test: decisive?.test ?? null,
    p_value: p,
    certainty: certaintyOf(p === null ? null : Math.min(1, p * tests)),
    compared_with: baseline === null ? "previous" : "baseline",
    current: countsOf(current),
    previous: { ...countsOf(previous), p_value: vsPrevious?.pValue ?? null },
    ...(baseline === null
      ? {}
      : {
          baseline: {
            periods: baseline.periods,
            median: baseline.observation.value,
            p_value: vsBaseline?.pValue ?? null,
          },
        }),
    ...(tests > 1 ? { tests } : {}),
    ...(p === null ? { smallest_n: smallestN([current, baseline?.observation ?? previous]) } : {}),
  };
  let severity: Severity = "info";
  if (passed && input.worse === true) {
    const certain =
      (p as number) * tests < thresholds.critical_alpha && input.size >= thresholds.critical_size;
    severity = certain ? "critical" : "warning";
  }
  return { severity, passed, evidence };
}

/** The evidence of a test that stands alone (an incident, a target): its p and its counts. */
export function singleEvidence(test: TestResult | null, counts: Record<string, number>): Evidence {
  return {
    test: test?.test ?? null,
    p_value: test?.pValue ?? null,
    certainty: certaintyOf(test?.pValue ?? null),
    current: counts,
  };
}

/** The count "too few" refers to: the smaller side's n, or for counts both sides' events in all. */
function smallestN(observations: Observation[]): number | undefined {
  if (observations.every((o) => o.kind === "count"))
    return observations.reduce((a, o) => a + (o.kind === "count" ? o.k : 0), 0);
  const ns = observations.map((o) => (o.kind === "count" ? o.k : o.n));
  return ns.length === 0 ? undefined : Math.min(...ns);
}
