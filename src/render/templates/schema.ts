import { z } from "zod";
import { SEVERITIES } from "../../types.js";
import { CHART_KINDS } from "../charts/chart-kinds.js";

/**
 * An audience template (templates/<name>.yaml): a title and an ordered list of sections. Adding
 * an audience or changing what it reads is an edit of a template, not of code.
 */
const metricId = z.string().regex(/^[a-z_]+\.[a-z0-9_]+$/, "not a metric ID (like funnel.conversion)");
const title = z.string().min(1).max(120);

const section = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("kpis"),
    title: title.optional(),
    /** Scalar metrics, shown as tiles with the change against the previous period. */
    metrics: z.array(metricId).min(1).max(12),
  }),
  z.strictObject({
    kind: z.literal("findings"),
    title: title.optional(),
    /** How many of this audience's findings, most important first. */
    top: z.number().int().min(1).max(50).default(6),
  }),
  z.strictObject({
    /** Figures that moved past their threshold within normal variation (not in "What changed"). */
    kind: z.literal("variation"),
    title: title.default("Movements within normal variation"),
    top: z.number().int().min(1).max(50).default(10),
  }),
  z.strictObject({
    kind: z.literal("chart"),
    title,
    chart: z.enum(CHART_KINDS),
    metric: metricId,
    label: z.string().optional(),
    value: z.string().optional(),
    top: z.number().int().min(1).max(30).optional(),
    /** Height on the page in points (the width is the page's). */
    height: z.number().min(120).max(600).default(220),
    /** A sentence under the chart. */
    note: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal("table"),
    title,
    metric: metricId,
    columns: z.array(z.string().min(1)).min(1).max(8),
    /** Rows shown; the table says how many are left out. */
    top: z.number().int().min(1).max(1000).default(15),
    note: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal("text"), title: title.optional(), text: z.string().min(1) }),
  z.strictObject({
    kind: z.literal("data_quality"),
    title: title.default("Appendix: data quality"),
    /**
     * `full`: the table per source and the first rejected rows (IT, analysts); `summary`: one
     * paragraph of rows read and the share rejected per source, and where the details are
     * (readers who act on the figures, not on the data).
     */
    detail: z.enum(["full", "summary"]).default("full"),
  }),
  z.strictObject({ kind: z.literal("page_break") }),
]);

/**
 * One way a finding reaches this report's readers: by what it is about (metric IDs), by topic,
 * or both, optionally only from a severity up. The loader checks the IDs and topics exist.
 */
const findingFilter = z
  .strictObject({
    metrics: z.array(metricId).min(1).optional(),
    topics: z.array(z.string().min(1)).min(1).optional(),
    min_severity: z.enum(SEVERITIES).optional(),
  })
  .refine(
    (f) => f.metrics !== undefined || f.topics !== undefined || f.min_severity !== undefined,
    "name metrics, topics or min_severity (an empty entry would select every finding)",
  );

export const templateSchema = z.strictObject({
  title,
  /** One line under the title: what this report is for. */
  subtitle: z.string().optional(),
  /**
   * Which findings this report's readers get, in its findings section and its mail: those that
   * match any entry. Left out, they get every finding (never an empty "What changed").
   */
  findings: z.array(findingFilter).min(1).optional(),
  sections: z.array(section).min(1),
});

export type Template = z.infer<typeof templateSchema>;
export type Section = Template["sections"][number];
export type FindingFilter = NonNullable<Template["findings"]>[number];
export type SectionOf<K extends Section["kind"]> = Extract<Section, { kind: K }>;
