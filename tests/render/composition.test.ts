import { createCanvas, loadImage } from "canvas";
import { describe, expect, it } from "vitest";
import { buildChart } from "../../src/render/charts/chart-kinds.js";
import { wrapLabel } from "../../src/render/charts/labels.js";
import { PIXEL_RATIO, renderChartPng, rendererCount } from "../../src/render/charts/renderer.js";
import { renderAudienceReport } from "../../src/render/report.js";
import { readTemplate } from "../../src/render/templates/load.js";
import type { Template } from "../../src/render/templates/schema.js";
import type { MetricOutput, MetricResults, TableRow } from "../../src/types.js";
import { useTempDirs, write } from "../helpers/files.js";
import { pdfInfo, pdfText, type StructElement, structElements, structTree } from "../helpers/pdf.js";
import { contextFor } from "../metrics/helpers.js";

const newDir = useTempDirs();
const { period, previous } = contextFor("2026-W46", "Europe/Paris");
const STEPS = ["viewed_product", "added_to_cart", "viewed_cart", "checkout_started", "order_placed"];

function render(template: Template, results: Record<string, MetricOutput>) {
  return renderAudienceReport({
    audience: "ux",
    audienceName: "UX",
    template,
    period,
    previous,
    generatedAt: Date.parse("2026-11-16T07:00:00Z"),
    pageSize: "A4",
    results: new Map(Object.entries(results)) as MetricResults,
    findings: [],
    sources: [],
    rejectLimit: 0.05,
    currency: "EUR",
  });
}

const table = (rows: TableRow[]): MetricOutput => ({ kind: "table", rows, previousRows: [] });

describe("composed documents", () => {
  it("shows accented, Cyrillic and Greek feedback as text", async () => {
    const texts = [
      "Très pratique, livraison rapide, merci !",
      "Оплата не прошла, очень неудобно",
      "Η πληρωμή απέτυχε, πολύ αργή σελίδα",
    ];
    const { pdf } = await render(
      {
        title: "Feedback",
        sections: [
          {
            kind: "table",
            title: "Comments",
            metric: "feedback.mismatch_examples",
            columns: ["rating", "text_class", "text"],
            top: 10,
          },
        ],
      },
      {
        "feedback.mismatch_examples": table(
          texts.map((text, i) => ({ rating: 5 - i, rating_class: "positive", text_class: "negative", text })),
        ),
      },
    );
    const text = pdfText(pdf).replace(/\s+/g, " ");
    for (const t of texts) expect(text).toContain(t);
  });

  it("runs a 500-row table over several pages with its header row on each", async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({
      user_id: `U${String(i).padStart(4, "0")}`,
      clicks: 1000 - i,
    }));
    const { pdf } = await render(
      {
        title: "Long table",
        sections: [
          {
            kind: "table",
            title: "Clicks by user",
            metric: "clicks.by_user",
            columns: ["user_id", "clicks"],
            top: 500,
          },
        ],
      },
      { "clicks.by_user": table(rows) },
    );
    const pages = Number(pdfInfo(pdf).Pages);
    expect(pages).toBeGreaterThanOrEqual(5);
    // The bookmark jumps to the section's heading, not to the top of its page.
    const dest = pdf.toString("latin1").match(/\/Dest \[\d+ 0 R \/XYZ ([\d.]+) ([\d.]+) 0\]/);
    expect(dest?.[1]).toBe("0");
    expect(Number(dest?.[2])).toBeLessThan(841.89 - 62);
    for (let page = 1; page <= pages; page++) {
      expect(pdfText(pdf, page), `page ${page}`).toMatch(/User\s+Clicks/);
    }
    const all = pdfText(pdf);
    expect(all).toContain("U0000");
    expect(all).toContain("U0499"); // nothing cut short

    // For a screen reader it is one table: one Table element, one header row of TH cells that
    // say they head their columns, then a TR per data row; the header drawn again on later pages
    // is page furniture, and no layout attribute sits under the Table owner.
    const elements = structElements(structTree(pdf));
    const tables = elements.filter((e) => e.type === "Table");
    expect(tables).toHaveLength(1);
    const rowsOf = (tables[0] as StructElement).children;
    expect(rowsOf).toHaveLength(501);
    expect(rowsOf.every((r) => r.type === "TR")).toBe(true);
    const headers = elements.filter((e) => e.type === "TH");
    expect(headers).toHaveLength(2);
    for (const th of headers) expect(th.dict).toMatch(/\/A <<\n\/O \/Table\n\/Scope \/Column\n>>/);
    expect(elements.filter((e) => e.type === "TD")).toHaveLength(1000);
    for (const e of elements)
      expect(e.dict).not.toMatch(/\/(BackgroundColor|BorderColor|Padding|Width|Height)\b/);
    expect(elements.filter((e) => /\/ID\b/.test(e.dict))).toEqual([]);
  });

  it("says how many rows a top-N table leaves out, and cuts a very long cell with an ellipsis", async () => {
    const long = "x".repeat(1000);
    const { pdf } = await render(
      {
        title: "Top",
        sections: [
          {
            kind: "table",
            title: "Paths",
            metric: "journeys.top_paths",
            columns: ["path", "sessions"],
            top: 3,
          },
        ],
      },
      {
        "journeys.top_paths": table([
          { path: long, sessions: 9 },
          ...Array.from({ length: 9 }, (_, i) => ({ path: `p${i}`, sessions: 8 - i })),
        ]),
      },
    );
    const text = pdfText(pdf).replace(/\s+/g, " ");
    expect(text).toContain("Showing the first 3 of 10 rows; the other 7 are in metrics.json.");
    expect(text).toContain("…");
    expect(text).not.toContain("x".repeat(500));
  });

  it("shows a large headline figure whole, in a smaller size, never cut", async () => {
    const { pdf } = await render(
      {
        title: "Big",
        sections: [{ kind: "kpis", title: "KPIs", metrics: ["carts.value_lost", "api.requests"] }],
      },
      {
        "carts.value_lost": { kind: "scalar", value: 12_995_840.03, previous: 3_007_816.33 },
        "api.requests": { kind: "scalar", value: 1_234_567_890, previous: 1 },
      },
    );
    const text = pdfText(pdf);
    expect(text).toContain("12,995,840.03");
    expect(text).toContain("1,234,567,890");
    expect(text).not.toMatch(/\d…/);
  });

  it("says 'No data for this period' for a section whose source had no file", async () => {
    const { pdf } = await render(
      {
        title: "Empty",
        sections: [
          { kind: "chart", title: "Funnel", chart: "funnel", metric: "funnel.steps", height: 220 },
          { kind: "kpis", title: "KPIs", metrics: ["api.requests"] },
        ],
      },
      {},
    );
    expect(pdfText(pdf).match(/No data for this period\./g)).toHaveLength(2);
  });
});

describe("templates", () => {
  async function problems(yaml: string): Promise<string[]> {
    const dir = await newDir();
    return (await readTemplate(await write(dir, "t.yaml", yaml), STEPS)).errors;
  }

  it("names the section and the problem", async () => {
    expect(
      await problems(`title: T
sections:
  - kind: kpis
    metrics: [funnel.conversion, funnel.stepz, funnel.steps]
  - kind: chart
    title: Latency
    chart: funnel
    metric: api.by_service
  - kind: table
    title: Terms
    metric: sessions.search_terms
    columns: [term, hits]
  - kind: chart
    title: Ranked
    chart: ranked
    metric: clicks.by_page
    label: page
    value: page
`),
    ).toEqual([
      "section 1 (kpis): metric funnel.stepz is not a known metric ID",
      "section 1 (kpis): metric funnel.steps is a table; KPI tiles show single values",
      'section 2 (chart "Latency"): a funnel chart cannot show api.by_service (it shows funnel.steps)',
      'section 3 (table "Terms"): column hits is not a column of sessions.search_terms (it has term, count)',
      'section 4 (chart "Ranked"): value must be a numeric column of clicks.by_page (clicks)',
    ]);
  });

  it("checks the findings a template selects: known metrics and topics, a known severity", async () => {
    expect(
      await problems(`title: T
findings:
  - metrics: [funnel.conversion, funnel.stepz]
  - topics: [incident, outage]
sections:
  - kind: findings
`),
    ).toEqual([
      "findings entry 1: metric funnel.stepz is not a known metric ID",
      "findings entry 2: topic outage is not a known topic (topics: change, incident, target, funnel, pages, slower, sla, feedback, completeness)",
    ]);
    expect(
      await problems(`title: T
findings:
  - topics: [sla]
    min_severity: urgent
  - {}
sections:
  - kind: findings
`),
    ).toEqual([
      expect.stringMatching(/^findings entry 1 \(min_severity\): /),
      "findings entry 2: name metrics, topics or min_severity (an empty entry would select every finding)",
    ]);
  });

  it("reports shape errors and YAML syntax errors with where they are", async () => {
    expect(await problems("title: T\nsections:\n  - kind: pie\n")).toEqual([
      expect.stringMatching(/^section 1 \(kind\): /),
    ]);
    expect(await problems("title: [oops\n")).toEqual([expect.stringMatching(/^line \d+: /)]);
  });

  it("refuses two sections with the same title (their headings and bookmarks could not be told apart)", async () => {
    const yaml = `title: T
sections:
  - kind: text
    title: Same
    text: a
  - kind: text
    title: Same
    text: b
`;
    expect(await problems(yaml)).toEqual([
      'section 2: the title "Same" is section 1\'s too (headings and bookmarks must differ)',
    ]);
  });
});

describe("charts", () => {
  it("writes alt text from the data", () => {
    const funnel = buildChart(
      { chart: "funnel", metric: "funnel.steps" },
      table([
        { step: "viewed_product", sessions: 100, rate_from_previous: 0.5, dropped: 100 },
        { step: "order_placed", sessions: 37, rate_from_previous: 0.37, dropped: 63 },
      ]),
      period,
    );
    expect(funnel?.alt).toBe(
      "Funnel, sessions per step: 100 Viewed a product, 37 Placed an order (37 % of the step before). Conversion 37 %.",
    );
    const donut = buildChart(
      { chart: "donut", metric: "support.by_category", label: "category", value: "tickets" },
      table([
        { category: "payment", tickets: 3 },
        { category: "delivery", tickets: 1 },
      ]),
      period,
    );
    expect(donut?.alt).toBe("Tickets by category, shares of 4: payment 3 (75 %), delivery 1 (25 %).");
    expect(
      buildChart(
        { chart: "ranked", metric: "clicks.by_page", label: "page", value: "clicks" },
        table([]),
        period,
      ),
    ).toBeNull();
  });

  it("draws the error-rate line over the request bars, legend in dataset order", () => {
    const chart = buildChart(
      { chart: "timeseries", metric: "api.hourly" },
      table([{ hour: "2026-11-09T08:00:00+01:00", requests: 10, errors: 1 }]),
      period,
    );
    const [bars, line] = (chart?.config.data.datasets ?? []) as { type?: string; order?: number }[];
    expect([bars?.type, line?.type]).toEqual(["bar", "line"]);
    // chart.js draws datasets from the highest order to the lowest: the line comes last, on top.
    expect(line?.order ?? 0).toBeLessThan(bars?.order ?? 0);
    expect(chart?.config.options?.plugins?.legend?.labels?.sort).toBeTypeOf("function");
  });

  it("gives every hour of a day its place on the time axis, one without requests included", () => {
    const day = contextFor("2026-11-10", "Europe/Paris").period;
    const chart = buildChart(
      { chart: "timeseries", metric: "api.hourly" },
      table([
        { hour: "2026-11-10T08:00:00+01:00", requests: 10, errors: 1 },
        { hour: "2026-11-10T10:00:00+01:00", requests: 4, errors: 2 },
      ]),
      day,
    );
    expect(chart?.config.data.labels).toHaveLength(24);
    expect(chart?.config.data.labels?.slice(8, 11)).toEqual(["08:00", "09:00", "10:00"]);
    const [bars, line] = chart?.config.data.datasets ?? [];
    expect(bars?.data.slice(8, 11)).toEqual([10, 0, 4]);
    expect(line?.data.slice(8, 11)).toEqual([10, null, 50]); // no requests: a gap, not 0 %
    expect(chart?.alt).toBe(
      "Requests and error rate by hour: 14 requests in all, the busiest hour 08:00 (10); " +
        "error rate highest at 10:00 (50 %); no requests in 22 hours.",
    );
    // The day clocks go back has 25 hours, 02:00 twice.
    const autumn = contextFor("2026-10-25", "Europe/Paris").period;
    const labels = buildChart(
      { chart: "timeseries", metric: "api.hourly" },
      table([{ hour: "2026-10-25T02:00:00+01:00", requests: 1, errors: 0 }]),
      autumn,
    )?.config.data.labels;
    expect(labels).toHaveLength(25);
    expect(labels?.slice(1, 5)).toEqual(["01:00", "02:00", "02:00", "03:00"]);
  });

  it("draws latency percentiles on a log axis when one slow value would flatten the rest", () => {
    const service = (name: string, p50: number, p95: number, p99: number | null) => ({
      service: name,
      p50_ms: p50,
      p95_ms: p95,
      p99_ms: p99,
    });
    const skewed = buildChart(
      { chart: "percentiles", metric: "api.by_service" },
      table([service("product-api", 97.5, 189.5, 279.75), service("payment-api", 336, 1186.4, 30075.44)]),
      period,
    );
    const x = skewed?.config.options?.scales?.x as { type: string; min: number; max: number };
    expect([x.type, x.min, x.max]).toEqual(["logarithmic", 50, 50_000]);
    const ticks = (x as unknown as { ticks: { callback: (v: number) => string } }).ticks;
    expect([10, 50, 100, 200, 1000, 10_000, 50_000].map((v) => ticks.callback(v))).toEqual([
      "10 ms",
      "50 ms",
      "100 ms",
      "",
      "1 s",
      "10 s",
      "50 s",
    ]);
    expect(skewed?.alt).toBe(
      "API by service, p50 / p95 / p99 latency on a logarithmic scale: " +
        "product-api 98 ms / 190 ms / 280 ms; payment-api 336 ms / 1.2 s / 30.1 s.",
    );
    const even = buildChart(
      { chart: "percentiles", metric: "api.by_service" },
      table([service("product-api", 100, 200, 300), service("cart-service", 150, 400, null)]),
      period,
    );
    expect(even?.config.options?.scales?.x?.type).toBe("linear");
    expect(even?.alt).toBe(
      "API by service, p50 / p95 / p99 latency: product-api 100 ms / 200 ms / 300 ms; cart-service 150 ms / 400 ms / n/a.",
    );
  });

  it("wraps long donut legend labels onto lines instead of cutting them; the alt text keeps them whole", () => {
    const reasons = [
      { reason: "No error", sessions: 269 },
      { reason: "/checkout - Payment service unavailable", sessions: 11 },
      { reason: "/products/hiking-backpack - Item out of stock", sessions: 1 },
    ];
    const donut = buildChart(
      { chart: "donut", metric: "funnel.loss_reasons", label: "reason", value: "sessions" },
      table(reasons),
      period,
    );
    expect(donut?.config.data.labels).toEqual([
      "No error (96 %)",
      ["/checkout - Payment service", "unavailable (3.9 %)"],
      ["/products/hiking-backpack - Item out", "of stock (0.36 %)"],
    ]);
    for (const { reason } of reasons) expect(donut?.alt).toContain(reason);
  });

  it("wraps labels at spaces, then after / or - inside a word too long for a line", () => {
    expect(wrapLabel("refund", "(24 %)", 36)).toBe("refund (24 %)");
    expect(wrapLabel("/a - b c", "(1 %)", 6)).toEqual(["/a - b", "c", "(1 %)"]);
    expect(wrapLabel("/products/a-very-long-name", "", 12)).toEqual(["/products/a-", "very-long-", "name"]);
    expect(wrapLabel("abcdefghij", "", 4)).toEqual(["abcd", "efgh", "ij"]);
  });

  it("names every bar of a ranked chart (no auto-skipped labels) and titles its value axis", () => {
    const rows = Array.from({ length: 15 }, (_, i) => ({ element: `element_${i}`, clicks: 100 - i }));
    const chart = buildChart(
      { chart: "ranked", metric: "clicks.by_element", label: "element", value: "clicks", top: 15 },
      table(rows),
      period,
    );
    const scales = chart?.config.options?.scales as {
      x: { title: { text: string } };
      y: { ticks: { autoSkip: boolean } };
    };
    expect(chart?.config.data.labels).toHaveLength(15);
    expect(scales.y.ticks.autoSkip).toBe(false);
    expect(scales.x.title.text).toBe("Clicks");
  });

  it("renders at print resolution and reuses one renderer per size", async () => {
    const config = buildChart(
      { chart: "ranked", metric: "clicks.by_page", label: "page", value: "clicks" },
      table([{ page: "home", clicks: 3 }]),
      period,
    )?.config;
    if (config === undefined) throw new Error("no chart");
    const before = rendererCount();
    for (let i = 0; i < 5; i++) {
      const png = await renderChartPng(config, 300, 150);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([300 * PIXEL_RATIO, 150 * PIXEL_RATIO]);
      expect(png[25]).toBe(2); // colour type 2: RGB, no alpha
    }
    expect(rendererCount()).toBeLessThanOrEqual(before + 1);
    // Regression: on an opaque canvas chartjs-node-canvas's background came out black.
    const image = await loadImage(await renderChartPng(config, 300, 150));
    const canvas = createCanvas(image.width, image.height);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    expect([...context.getImageData(2, 2, 1, 1).data]).toEqual([255, 255, 255, 255]);
  });
});
