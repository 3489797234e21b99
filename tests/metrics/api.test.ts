import { describe, expect, it } from "vitest";
import { createApiMetrics } from "../../src/metrics/api.js";
import type { ApiCall } from "../../src/types.js";
import { at, contextFor, rowsOf, run, scalarOf } from "./helpers.js";

const call = (
  timestamp: string,
  status_code: number,
  response_time_ms: number,
  service_name = "svc",
  endpoint = "/e",
): ApiCall => ({
  timestamp: at(timestamp),
  status_code,
  response_time_ms,
  service_name,
  endpoint,
});

describe("api metrics", () => {
  const context = contextFor("2026-W46"); // Mon 9 – Mon 16 Nov 2026, UTC
  const records = [
    call("2026-11-10T08:10:00Z", 200, 100, "b-svc", "/x"),
    call("2026-11-10T08:20:00Z", 404, 200, "a-svc", "/y"),
    call("2026-11-10T09:00:00Z", 500, 300, "b-svc", "/x"),
    call("2026-11-15T23:59:59.999Z", 503, 400, "a-svc", "/y"),
    call("2026-11-16T00:00:00Z", 500, 9999), // the period's end is excluded …
    call("2026-11-03T12:00:00Z", 200, 50), // … the previous week counts as previous …
    call("2026-10-20T12:00:00Z", 500, 1), // … and older rows count nowhere
  ];
  const out = run(createApiMetrics(context), records);

  it("counts requests, errors by class, rates and availability", () => {
    expect(scalarOf(out, "api.requests")).toEqual({ value: 4, previous: 1 });
    expect(scalarOf(out, "api.errors")).toEqual({ value: 3, previous: 0 });
    expect(scalarOf(out, "api.client_errors")).toEqual({ value: 1, previous: 0 });
    expect(scalarOf(out, "api.server_errors")).toEqual({ value: 2, previous: 0 });
    expect(scalarOf(out, "api.error_rate")).toEqual({ value: 0.75, previous: 0 });
    expect(scalarOf(out, "api.availability")).toEqual({ value: 0.5, previous: 1 });
  });

  it("computes type-7 percentiles (numpy's default)", () => {
    expect(scalarOf(out, "api.latency_mean_ms").value).toBe(250);
    expect(scalarOf(out, "api.latency_p50_ms").value).toBe(250);
    expect(scalarOf(out, "api.latency_p95_ms").value).toBeCloseTo(385, 10); // 300 + 0.85 × 100
    expect(scalarOf(out, "api.latency_p99_ms").value).toBeCloseTo(397, 10);
    expect(scalarOf(out, "api.latency_p99_ms").previous).toBe(50);
  });

  it("breaks ties by key: equal requests sort by name, equal means pick the first name", () => {
    expect(rowsOf(out, "api.by_service").map((r) => r.service)).toEqual(["a-svc", "b-svc"]);
    expect(rowsOf(out, "api.by_service")[0]).toEqual({
      service: "a-svc",
      requests: 2,
      errors: 2,
      error_rate: 1,
      mean_ms: 300,
      p50_ms: 300,
      p95_ms: 390,
      p99_ms: 398,
    });
    expect(scalarOf(out, "api.slowest_service").value).toBe("a-svc");
    const tie = run(createApiMetrics(context), [
      call("2026-11-10T08:00Z", 200, 10, "zeta"),
      call("2026-11-10T08:00Z", 200, 10, "alpha"),
    ]);
    expect(scalarOf(tie, "api.slowest_service").value).toBe("alpha");
    expect(rowsOf(out, "api.status_codes")).toEqual([
      { status_code: 200, count: 1 },
      { status_code: 404, count: 1 },
      { status_code: 500, count: 1 },
      { status_code: 503, count: 1 },
    ]);
  });

  it("lists only hours with requests, ascending, with the zone's offset", () => {
    expect(rowsOf(out, "api.hourly")).toEqual([
      { hour: "2026-11-10T08:00:00+00:00", requests: 2, errors: 1 },
      { hour: "2026-11-10T09:00:00+00:00", requests: 1, errors: 1 },
      { hour: "2026-11-15T23:00:00+00:00", requests: 1, errors: 1 },
    ]);
  });

  it("shows the repeated hour of the October change twice, with both offsets (Europe/Paris week 43, 169 h)", () => {
    const paris = contextFor("2026-W43", "Europe/Paris");
    expect((paris.period.to - paris.period.from) / 3_600_000).toBe(169);
    const dst = run(createApiMetrics(paris), [
      call("2026-10-25T00:30:00Z", 200, 1), // 02:30 CEST
      call("2026-10-25T01:30:00Z", 500, 1), // 02:30 CET
      call("2026-10-25T22:59:59Z", 200, 1), // Sun 23:59:59 CET: still in the week
      call("2026-10-25T23:00:00Z", 200, 1), // Mon 26 Oct 00:00 CET: the next week
      call("2026-10-18T22:30:00Z", 200, 1), // Mon 19 Oct 00:30 CEST: first hour of the week
    ]);
    expect(rowsOf(dst, "api.hourly")).toEqual([
      { hour: "2026-10-19T00:00:00+02:00", requests: 1, errors: 0 },
      { hour: "2026-10-25T02:00:00+02:00", requests: 1, errors: 0 },
      { hour: "2026-10-25T02:00:00+01:00", requests: 1, errors: 1 },
      { hour: "2026-10-25T23:00:00+01:00", requests: 1, errors: 0 },
    ]);
    expect(scalarOf(dst, "api.requests").value).toBe(4);
  });

  it("gives null, never NaN, for an empty period, and empty tables", () => {
    const empty = run(createApiMetrics(contextFor("2020-W10")), records);
    for (const id of [
      "api.error_rate",
      "api.availability",
      "api.latency_mean_ms",
      "api.latency_p50_ms",
      "api.latency_p99_ms",
      "api.slowest_service",
    ]) {
      expect(scalarOf(empty, id)).toEqual({ value: null, previous: null });
    }
    expect(scalarOf(empty, "api.requests")).toEqual({ value: 0, previous: 0 });
    expect(rowsOf(empty, "api.by_service")).toEqual([]);
    expect(JSON.stringify(empty)).not.toContain("NaN");
  });

  it("counts 5xx per local day and service", () => {
    expect(rowsOf(out, "api.daily_by_service")).toEqual([
      { day: "2026-11-10", service: "a-svc", requests: 1, server_errors: 0, server_error_rate: 0 },
      { day: "2026-11-10", service: "b-svc", requests: 2, server_errors: 1, server_error_rate: 0.5 },
      { day: "2026-11-15", service: "a-svc", requests: 1, server_errors: 1, server_error_rate: 1 },
    ]);
  });
});
