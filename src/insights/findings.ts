import type { Finding, Severity } from "../types.js";
import { RULES, type RuleContext } from "./rules.js";

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Every finding the rules see in the results, most important first: by severity, then weight,
 * then id (so the order is stable from run to run).
 */
export function deriveFindings(context: RuleContext): Finding[] {
  return RULES.flatMap((rule) => rule(context)).sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      b.weight - a.weight ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The findings one audience reads, in rank order. */
export function findingsFor(
  findings: Finding[],
  audience: string,
  top = Number.POSITIVE_INFINITY,
): Finding[] {
  return findings.filter((f) => f.audiences.includes(audience)).slice(0, top);
}
