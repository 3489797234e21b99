import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { ReportsError } from "../../errors.js";
import { isKnownMetric, isTextColumn, metricInfo, tableColumns } from "../../metrics/catalog.js";
import { TOPICS } from "../../types.js";
import { CHART_METRICS } from "../charts/chart-kinds.js";
import { type FindingFilter, type Section, type Template, templateSchema } from "./schema.js";

/** The templates shipped with the project. */
export const BUNDLED_TEMPLATES = fileURLToPath(new URL("../../../templates/", import.meta.url));

/**
 * Reads and checks the template of each audience: the YAML, its shape, and every metric ID,
 * column and chart against the catalog. All problems of all templates are reported at once, each
 * naming the template, the section and the problem.
 */
export async function loadTemplates(
  dir: string,
  audiences: Record<string, { template?: string | undefined }>,
  funnelSteps: readonly string[],
): Promise<Map<string, Template>> {
  const templates = new Map<string, Template>();
  const problems: string[] = [];
  for (const [audience, settings] of Object.entries(audiences)) {
    const file = path.join(dir, `${settings.template ?? audience}.yaml`);
    const { template, errors } = await readTemplate(file, funnelSteps);
    problems.push(...errors.map((e) => `${file}: ${e}`));
    if (template !== null) templates.set(audience, template);
  }
  if (problems.length > 0)
    throw new ReportsError("usage", `templates have problems:\n  ${problems.join("\n  ")}`);
  return templates;
}

/** Parses and checks one template; pure apart from reading the file. */
export async function readTemplate(
  file: string,
  funnelSteps: readonly string[],
): Promise<{ template: Template | null; errors: string[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return { template: null, errors: [`cannot read the template: ${(err as Error).message}`] };
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return {
      template: null,
      errors: doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? "?"}: ${e.message.split("\n")[0]}`),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // The yaml package refuses aliases that expand past a limit (an "alias bomb").
    return { template: null, errors: [(err as Error).message] };
  }
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      template: null,
      errors: parsed.error.issues.map((issue) => {
        const [head, index, ...rest] = issue.path;
        const detail = rest.length ? ` (${rest.join(".")})` : "";
        const where =
          head === "sections" && typeof index === "number"
            ? `section ${index + 1}${detail}`
            : head === "findings" && typeof index === "number"
              ? `findings entry ${index + 1}${detail}`
              : issue.path.join(".") || "top level";
        return `${where}: ${issue.message}`;
      }),
    };
  }
  const errors = [
    ...(parsed.data.findings ?? []).flatMap((filter, i) =>
      checkFindingFilter(filter, funnelSteps).map((e) => `findings entry ${i + 1}: ${e}`),
    ),
    ...parsed.data.sections.flatMap((section, i) =>
      checkSection(section, funnelSteps).map((e) => `section ${i + 1} (${describe(section)}): ${e}`),
    ),
    ...repeatedTitles(parsed.data.sections),
  ];
  return errors.length > 0 ? { template: null, errors } : { template: parsed.data, errors: [] };
}

// ---------------------------------------------------------------------------------------------

function describe(section: Section): string {
  return "title" in section && section.title ? `${section.kind} "${section.title}"` : section.kind;
}

function checkFindingFilter(filter: FindingFilter, funnelSteps: readonly string[]): string[] {
  const topics: readonly string[] = TOPICS;
  return [
    ...(filter.metrics ?? [])
      .filter((id) => !isKnownMetric(id, funnelSteps))
      .map((id) => `metric ${id} is not a known metric ID`),
    ...(filter.topics ?? [])
      .filter((topic) => !topics.includes(topic))
      .map((topic) => `topic ${topic} is not a known topic (topics: ${TOPICS.join(", ")})`),
  ];
}

function checkSection(section: Section, funnelSteps: readonly string[]): string[] {
  const known = (id: string) => isKnownMetric(id, funnelSteps);
  const columnsOf = (id: string) => tableColumns(id)?.map((c) => c.name);
  switch (section.kind) {
    case "kpis":
      return section.metrics.flatMap((id) => {
        if (!known(id)) return [`metric ${id} is not a known metric ID`];
        if (metricInfo(id).unit === "table") return [`metric ${id} is a table; KPI tiles show single values`];
        return [];
      });
    case "table": {
      if (!known(section.metric)) return [`metric ${section.metric} is not a known metric ID`];
      const columns = columnsOf(section.metric);
      if (columns === undefined) return [`metric ${section.metric} is a single value, not a table`];
      return section.columns
        .filter((c) => !columns.includes(c))
        .map((c) => `column ${c} is not a column of ${section.metric} (it has ${columns.join(", ")})`);
    }
    case "chart": {
      if (!known(section.metric)) return [`metric ${section.metric} is not a known metric ID`];
      const fits = CHART_METRICS[section.chart];
      if (fits !== undefined) {
        return fits.includes(section.metric)
          ? []
          : [`a ${section.chart} chart cannot show ${section.metric} (it shows ${fits.join(", ")})`];
      }
      const columns = columnsOf(section.metric);
      if (columns === undefined)
        return [`a ${section.chart} chart needs a table metric; ${section.metric} is a single value`];
      const errors: string[] = [];
      if (section.label === undefined || !columns.includes(section.label))
        errors.push(`label must be a column of ${section.metric} (${columns.join(", ")})`);
      if (
        section.value === undefined ||
        !columns.includes(section.value) ||
        isTextColumn(section.metric, section.value)
      ) {
        errors.push(
          `value must be a numeric column of ${section.metric} (${columns.filter((c) => !isTextColumn(section.metric, c)).join(", ")})`,
        );
      }
      return errors;
    }
    default:
      return [];
  }
}

/**
 * Two sections with the same title would give a reader two identical headings and bookmarks
 * that cannot be told apart.
 */
function repeatedTitles(sections: readonly Section[]): string[] {
  const first = new Map<string, number>();
  const errors: string[] = [];
  sections.forEach((section, i) => {
    const title = "title" in section ? section.title : undefined;
    if (title === undefined) return;
    const earlier = first.get(title);
    if (earlier === undefined) first.set(title, i);
    else
      errors.push(
        `section ${i + 1}: the title "${title}" is section ${earlier + 1}'s too (headings and bookmarks must differ)`,
      );
  });
  return errors;
}
