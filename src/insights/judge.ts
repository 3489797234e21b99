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

/** The words after a change: "very likely a real change", "too few tickets to tell". */
export function certaintyPhrase(evidence: Evidence, noun = "values"): string {
  switch (evidence.certainty) {
    case "very likely":
    case "likely":
      return `${evidence.certainty} a real change`;
    case "possibly":
      return "possibly a real change, but not certain enough to report";
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

/**
 * Judges a change that is past its size threshold (`size` ≥ 1 is the threshold, 3 three times it):
 * it passes when its test against the period before, and against the baseline when there is one,
 * give p below `alpha` in the same direction. A worse change that passes is a warning; a critical
 * one when it is also `critical_size` times its threshold and p is below `critical_alpha`. An
 * improvement that passes is info. `worse` null: a figure with no better direction (info).
 */
export function judgeChange(input: {
  current: Observation;
  previous: Observation;
  /** The same figure in earlier periods (the one before first); a baseline needs 3. */
  earlier?: readonly { id: string; observation: Observation }[];
  size: number;
  worse: boolean | null;
  thresholds: Config["findings"];
}): Judged {
  const { current, previous, thresholds } = input;
  const minN = thresholds.min_observations;
  const vsPrevious = compareObservations(current, previous, minN);
  const earlier = input.earlier ?? [];
  const baseline =
    thresholds.baseline_periods >= 3 && earlier.length >= 3
      ? medianObservation(earlier.map((e) => e.observation))
      : null;
  const vsBaseline = baseline === null ? null : compareObservations(current, baseline, minN);
  const direction = Math.sign(current.value - previous.value);
  const tests: (TestResult | null)[] = baseline === null ? [vsPrevious] : [vsPrevious, vsBaseline];
  const sameWay = baseline === null || Math.sign(current.value - baseline.value) === direction;
  const p = tests.some((t) => t === null) ? null : Math.max(...tests.map((t) => (t as TestResult).pValue));
  const passed = p !== null && p < thresholds.alpha && sameWay;
  const evidence: Evidence = {
    test: vsPrevious?.test ?? null,
    p_value: p,
    certainty: sameWay ? certaintyOf(p) : "could be chance",
    current: countsOf(current),
    previous: { ...countsOf(previous), p_value: vsPrevious?.pValue ?? null },
    ...(baseline === null
      ? {}
      : {
          baseline: {
            periods: earlier.map((e) => e.id),
            median: baseline.value,
            p_value: vsBaseline?.pValue ?? null,
          },
        }),
    ...(p === null ? { smallest_n: smallestN([current, previous]) } : {}),
  };
  let severity: Severity = "info";
  if (passed && input.worse === true) {
    const certain = (p as number) < thresholds.critical_alpha && input.size >= thresholds.critical_size;
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

function smallestN(observations: Observation[]): number | undefined {
  const ns = observations.map((o) => (o.kind === "count" ? o.k : o.n));
  return ns.length === 0 ? undefined : Math.min(...ns);
}
