import { notComparable, type SourceCoverage } from "../insights/coverage.js";
import type { Finding, MetricResults, Period, SourceSummary } from "../types.js";
import { completenessNotice } from "./pdf/completeness-notice.js";
import { closeReport, openReport } from "./pdf/document.js";
import {
  chartSection,
  dataQualitySection,
  findingsSection,
  kpiSection,
  openSection,
  type SectionContext,
  tableSection,
  textSection,
} from "./pdf/sections.js";
import { variationSection } from "./pdf/variation-section.js";
import type { Template } from "./templates/schema.js";

/** Everything one audience's document is made of. */
export interface AudienceReport {
  /** The configuration's key: names the chart files. */
  audience: string;
  /** What its readers are called on the cover and in the running header ("IT"). */
  audienceName: string;
  template: Template;
  /** Overrides the template's title (from the configuration). */
  title?: string | undefined;
  period: Period;
  previous: Period;
  generatedAt: number;
  pageSize: "A4" | "Letter";
  results: MetricResults;
  findings: Finding[];
  sources: SourceSummary[];
  rejectLimit: number;
  /** ISO 4217 code of the data's amounts (the configuration's `currency`). */
  currency: string;
  /** Each source's coverage of the period: an incomplete one is said first, and not compared. */
  coverage?: readonly SourceCoverage[];
}

export interface RenderedReport {
  pdf: Buffer;
  charts: { name: string; png: Buffer }[];
}

/** Composes one audience's PDF from its template, section by section. */
export async function renderAudienceReport(input: AudienceReport): Promise<RenderedReport> {
  const meta = {
    title: input.title ?? input.template.title,
    subtitle: input.template.subtitle,
    audience: input.audienceName,
    period: input.period,
    previous: input.previous,
    generatedAt: input.generatedAt,
    pageSize: input.pageSize,
  };
  const report = openReport(meta);
  const { doc, root } = report;
  const ctx: SectionContext = {
    doc,
    audience: input.audience,
    results: input.results,
    findings: input.findings,
    template: input.template,
    period: input.period,
    sources: input.sources,
    rejectLimit: input.rejectLimit,
    currency: input.currency,
    charts: [],
    incomplete: notComparable(input.coverage ?? []),
  };
  completenessNotice(ctx, root);
  for (const section of input.template.sections) {
    if (section.kind === "page_break") {
      if (doc.y > doc.page.margins.top + 1) doc.addPage();
      continue;
    }
    // A heading stays with the start of what it heads: a chart whole, a table's first rows.
    const keepWith = section.kind === "chart" ? section.height + 40 : section.kind === "kpis" ? 110 : 90;
    const sect = openSection(ctx, root, section.title, keepWith);
    switch (section.kind) {
      case "kpis":
        kpiSection(ctx, sect, section);
        break;
      case "findings":
        findingsSection(ctx, sect, section);
        break;
      case "variation":
        variationSection(ctx, sect, section);
        break;
      case "chart":
        await chartSection(ctx, sect, section);
        break;
      case "table":
        tableSection(ctx, sect, section);
        break;
      case "text":
        textSection(ctx, sect, section);
        break;
      case "data_quality":
        dataQualitySection(ctx, sect, section);
        break;
    }
    sect.end();
    doc.moveDown(0.8);
  }
  const pdf = await closeReport(report, meta);
  return { pdf, charts: ctx.charts };
}
