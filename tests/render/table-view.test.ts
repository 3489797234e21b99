import { describe, expect, it } from "vitest";
import { tableView } from "../../src/render/table-view.js";
import type { SectionOf } from "../../src/render/templates/schema.js";
import type { MetricOutput, MetricResults, TableRow } from "../../src/types.js";

const table = (rows: TableRow[]): MetricOutput => ({ kind: "table", rows, previousRows: [] });
const scalar = (value: number): MetricOutput => ({ kind: "scalar", value, previous: null });
const results = (entries: Record<string, MetricOutput>) => new Map(Object.entries(entries)) as MetricResults;
const section = (metric: string, columns: string[], top: number): SectionOf<"table"> => ({
  kind: "table",
  title: "t",
  metric,
  columns,
  top,
});

const mismatch = (text: string, rating = 5) => ({
  rating,
  rating_class: "positive",
  text_class: "negative",
  text,
});

describe("what a table section shows", () => {
  // Guards item "No error as the first row": it is context under the table, not a reason.
  it("leads the loss reasons with the reasons, and puts the sessions without an error under the table", () => {
    const view = tableView(
      section("funnel.loss_reasons", ["reason", "sessions"], 2),
      results({
        "funnel.loss_reasons": table([
          { reason: "No error", sessions: 2424 },
          { reason: "/checkout - Payment declined", sessions: 12 },
          { reason: "/cart - Item out of stock", sessions: 4 },
          { reason: "/checkout - Address validation failed", sessions: 3 },
        ]),
      }),
      "EUR",
    );
    expect(view?.rows).toEqual([
      ["/checkout - Payment declined", "12"],
      ["/cart - Item out of stock", "4"],
    ]);
    expect(view?.notes).toEqual([
      "Showing the first 2 of 3 rows; the other 1 is in metrics.json.",
      "Besides these, 2,424 sessions viewed a product and left without an order and without seeing an error.",
    ]);
  });

  it("shows only the line when every session left without an error", () => {
    const view = tableView(
      section("funnel.loss_reasons", ["reason", "sessions"], 8),
      results({ "funnel.loss_reasons": table([{ reason: "No error", sessions: 1 }]) }),
      "EUR",
    );
    expect(view).toEqual({
      columns: [
        { label: "Reason", numeric: false },
        { label: "Sessions", numeric: true },
      ],
      rows: [],
      notes: [
        "Besides these, 1 session viewed a product and left without an order and without seeing an error.",
      ],
    });
  });

  // Guards "Showing the first 10 of 38; the rest are in metrics.json" when metrics.json keeps 20.
  it("groups identical comments with a count, and says truthfully how many metrics.json keeps", () => {
    const rows = [
      mismatch("Great"),
      mismatch("Checkout crashed"),
      mismatch("Great"),
      mismatch("Great"),
      ...Array.from({ length: 16 }, (_, i) => mismatch(`comment ${i}`, 4)),
    ];
    const view = tableView(
      section("feedback.mismatch_examples", ["rating", "text_class", "text"], 3),
      results({
        "feedback.mismatch_examples": table(rows),
        "feedback.mismatches": scalar(38),
        "feedback.text_classes": table([
          { class: "positive", count: 50 },
          { class: "not scored", count: 7 },
        ]),
      }),
      "EUR",
    );
    expect(view?.columns.map((c) => c.label)).toEqual(["Rating", "Text says", "Text", "Times"]);
    expect(view?.rows).toEqual([
      ["5", "negative", "Great", "3"],
      ["5", "negative", "Checkout crashed", "1"],
      ["4", "negative", "comment 0", "1"],
    ]);
    expect(view?.notes).toEqual([
      "Showing 5 of 38 comments; metrics.json lists the first 20.",
      "7 comments not in English were not scored, so they are not compared with their rating.",
    ]);
  });

  it("points at metrics.json for the rest only when it has them, and adds no count column without repeats", () => {
    const view = tableView(
      section("feedback.mismatch_examples", ["rating", "text"], 2),
      results({
        "feedback.mismatch_examples": table([mismatch("a"), mismatch("b"), mismatch("c")]),
        "feedback.mismatches": scalar(3),
      }),
      "EUR",
    );
    expect(view?.columns.map((c) => c.label)).toEqual(["Rating", "Text"]);
    expect(view?.notes).toEqual(["Showing 2 of 3 comments; the other 1 is in metrics.json."]);
  });
});
