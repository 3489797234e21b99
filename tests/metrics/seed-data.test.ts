import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceName } from "../../src/types.js";
import { createMetricsRun, ingestAll } from "../helpers/sequential-pass.js";
import { contextFor } from "./helpers.js";

// The user's sample CSVs from the analysis this product replaces live outside the repository;
// the figures below are the ones that analysis reported. Skipped where the files are absent.
const SEED = path.resolve(import.meta.dirname, "../../../shared/seed-data");

describe.skipIf(!existsSync(SEED))("figures on the seed data agree with the original analysis", () => {
  it("matches error rate, slowest service, carts, drop-offs, duration and rating", async () => {
    const context = contextFor(["2025-06-28", "2025-07-03"], "UTC");
    const run = createMetricsRun(context);
    const summaries = await ingestAll({ dataDir: SEED, timeZone: "UTC" }, run.consumers);
    const metrics = run.results(
      new Set(summaries.filter((s) => s.files.length > 0).map((s) => s.source as SourceName)),
    );
    const value = (id: string) => {
      const m = metrics.get(id);
      return m?.kind === "scalar" ? m.value : m?.rows;
    };
    expect(summaries.reduce((n, s) => n + s.rows_rejected, 0)).toBe(0);
    expect([value("api.errors"), value("api.requests")]).toEqual([3, 13]);
    expect(value("api.slowest_service")).toBe("payment-api");
    expect(value("carts.abandoned")).toBe(10);
    expect(value("carts.value_lost")).toBe(1213.19);
    expect(value("carts.max_value")).toMatchObject({ cart_id: "C1006", total_value: 310.2 });
    expect(value("journeys.drop_offs")).toEqual([
      { page: "checkout", sessions: 5 },
      { page: "cart", sessions: 2 },
      { page: "product", sessions: 1 },
    ]);
    expect(value("journeys.duration_mean_min")).toBe(5);
    expect(value("feedback.rating_mean")).toBe(3);
    // Text class against rating class on the ten seed comments: all ten agree.
    expect(value("feedback.mismatches")).toBe(0);
    expect(metrics.has("sessions.count")).toBe(false); // no sessions file: no session metrics
  });
});
