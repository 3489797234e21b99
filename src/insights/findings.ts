import { metricSource } from "../metrics/catalog.js";
import type { Evidence, Finding, Severity, SourceName } from "../types.js";
import { visible } from "../util/visible-text.js";
import { notComparable } from "./coverage.js";
import { SOURCE_WORDS } from "./coverage-text.js";
import { RULES, type RuleContext } from "./rules.js";

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Every finding the rules see in the results, most important first: by severity, then weight,
 * then id (so the order is stable from run to run).
 */
export function deriveFindings(context: RuleContext): Finding[] {
  const coverage = context.coverage ?? [];
  const incomplete = new Set(coverage.filter((c) => !c.complete).map((c) => c.source));
  const uncompared = notComparable(coverage);
  return RULES.flatMap((rule) => rule(context))
    .flatMap((f) => heldBack(f, incomplete, uncompared))
    .map((f) => ({ ...f, text: visible(f.text) })) // findings quote the data: shopper text, paths
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        b.weight - a.weight ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

/**
 * A finding built from a source whose rows do not cover the period, or the period before: a
 * comparison with the period before is held back (a −57 % that is only missing days would
 * mislead: `change` findings, and the slowest page's change); anything else is kept and says its
 * data is partial.
 */
function heldBack(
  finding: Finding,
  incomplete: ReadonlySet<SourceName>,
  uncompared: ReadonlySet<SourceName>,
): Finding[] {
  if (finding.topic === "completeness" || uncompared.size === 0) return [finding];
  const sources = [...new Set(finding.metrics.map(metricSource))].filter((s): s is SourceName => s !== null);
  const compares = finding.topic === "change" || finding.topic === "pages" || finding.topic === "slower";
  if (compares && sources.some((s) => uncompared.has(s))) return [];
  const partial = sources.filter((s) => incomplete.has(s));
  if (partial.length === 0) return [finding];
  const words = partial.map((s) => SOURCE_WORDS[s]).join(" and ");
  return [{ ...finding, text: `${finding.text} (from partial ${words} data)` }];
}

/**
 * One entry of a template's `findings` key. A finding matches it when it is about one of its
 * metrics, on one of its topics and at least as severe as its minimum, each only where given.
 */
export interface FindingFilter {
  metrics?: readonly string[] | undefined;
  topics?: readonly string[] | undefined;
  min_severity?: Severity | undefined;
}

/** What routing reads of a finding; findings read back from findings.json have no more. */
export type Routable = { topic: string; severity: Severity; metrics: readonly string[] };

/** What routing reads of a template: its findings filters and the sections that show metrics. */
export interface RoutingTemplate {
  findings?: readonly FindingFilter[] | undefined;
  sections: readonly { kind: string; metrics?: readonly string[]; metric?: string }[];
}

/** Every metric ID a template shows (KPIs, charts, tables). */
export function shownMetrics(template: RoutingTemplate): Set<string> {
  return new Set(
    template.sections.flatMap((s) => [...(s.metrics ?? []), ...(s.metric === undefined ? [] : [s.metric])]),
  );
}

/**
 * The findings of one report's readers, in rank order: those matching any of its template's
 * filters, or every finding when the template has none (an audience nobody thought about still
 * hears what happened); and whatever its filters, a completeness finding about a source the
 * template shows a metric of. The PDF, the mail and findings.json all route through here, so they
 * cannot disagree.
 */
export function findingsFor<F extends Routable>(
  findings: readonly F[],
  template: RoutingTemplate,
  top = Number.POSITIVE_INFINITY,
): F[] {
  const filters = template.findings;
  const shown = shownMetrics(template);
  const selected = findings.filter(
    (f) =>
      filters === undefined ||
      (f.topic === "completeness"
        ? f.metrics.some((id) => shown.has(id))
        : filters.some((x) => matches(f, x))),
  );
  return selected.slice(0, top);
}

/** A finding as findings.json has it: the audiences whose templates select it instead of a topic. */
export interface FindingRecord {
  id: string;
  severity: Severity;
  audiences: string[];
  text: string;
  metrics: string[];
  /** "very likely" … "too few to tell", for findings built on a test. */
  certainty?: Evidence["certainty"];
  /** True: moved past its threshold, but within what chance gives; not in "What changed". */
  within_normal_variation?: boolean;
  /** The test, its p-value and the counts behind it. */
  evidence?: Evidence;
}

/**
 * findings.json's entries: every finding with the audiences that read it, in the order the
 * configuration lists them. `templates` maps each configured audience to its template.
 */
export function findingRecords(
  findings: readonly Finding[],
  templates: ReadonlyMap<string, RoutingTemplate>,
): FindingRecord[] {
  const routed = [...templates].map(
    ([audience, template]) => [audience, new Set(findingsFor(findings, template))] as const,
  );
  return findings.map((f) => ({
    id: f.id,
    severity: f.severity,
    audiences: routed.filter(([, mine]) => mine.has(f)).map(([audience]) => audience),
    text: f.text,
    metrics: f.metrics,
    ...(f.evidence === undefined
      ? {}
      : {
          certainty: f.evidence.certainty,
          within_normal_variation: f.variation === true,
          evidence: f.evidence,
        }),
  }));
}

/** A finding read back from findings.json, ready to route again (its topic is its id's first part). */
export function routableRecord(record: FindingRecord): FindingRecord & Routable {
  const [topic = ""] = record.id.split(":", 1);
  return { ...record, topic };
}

function matches(finding: Routable, filter: FindingFilter): boolean {
  return (
    (filter.topics === undefined || filter.topics.includes(finding.topic)) &&
    (filter.metrics === undefined || finding.metrics.some((id) => filter.metrics?.includes(id))) &&
    (filter.min_severity === undefined ||
      SEVERITY_ORDER[finding.severity] <= SEVERITY_ORDER[filter.min_severity])
  );
}
