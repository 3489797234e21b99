import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { RunRecord } from "../../src/output/history.js";
import { withReportLock } from "../../src/run/lock.js";
import { firesBetween, planCatchUp } from "../../src/schedule/catch-up.js";
import { periodForFire } from "../../src/schedule/report-periods.js";
import { formatInstant } from "../../src/time/periods.js";
import { reports } from "../helpers/cli.js";
import { useTempDirs, write } from "../helpers/files.js";

const newDir = useTempDirs();
const tz = "Europe/Paris";
const show = (p: { id: string; from: number; to: number }) =>
  `${p.id} ${formatInstant(p.from, tz)} ${formatInstant(p.to, tz)} ${(p.to - p.from) / 3.6e6}h`;

describe("the period a fire covers", () => {
  it("a weekly report firing Monday 08:00 Paris covers the previous Monday 00:00 to this Monday 00:00", () => {
    const fire = Date.parse("2026-11-16T07:00:00Z"); // Mon 16 Nov 08:00 CET
    expect(show(periodForFire({ period: "last-week" }, fire, tz))).toBe(
      "2026-W46 2026-11-09T00:00:00+01:00 2026-11-16T00:00:00+01:00 168h",
    );
  });

  it("covers the 169-hour week of the October change when it fires the Monday after", () => {
    const [fire] = firesBetween(
      "0 8 * * 1",
      tz,
      Date.parse("2026-10-25T00:00:00Z"),
      Date.parse("2026-10-27T00:00:00Z"),
    );
    expect(new Date(fire as number).toISOString()).toBe("2026-10-26T07:00:00.000Z"); // 08:00 CET, an hour later in UTC than the week before
    expect(show(periodForFire({ period: "last-week" }, fire as number, tz))).toBe(
      "2026-W43 2026-10-19T00:00:00+02:00 2026-10-26T00:00:00+01:00 169h",
    );
  });

  it("covers the day before, the month before, or N days", () => {
    const fire = Date.parse("2026-11-01T06:00:00Z"); // Sun 1 Nov 07:00 CET
    expect(periodForFire({ period: "last-day" }, fire, tz).id).toBe("2026-10-31");
    expect(periodForFire({ period: "last-month" }, fire, tz).id).toBe("2026-10");
    expect(show(periodForFire({ period: { days: 3 } }, fire, tz))).toBe(
      "2026-10-29--2026-11-01 2026-10-29T00:00:00+01:00 2026-11-01T00:00:00+01:00 72h",
    );
  });
});

describe("catch-up", () => {
  const config = parseConfig({
    timezone: tz,
    reports: {
      weekly: { audience: "managers", schedule: "0 8 * * 1", to: ["ceo@shop.example"] },
      daily: { audience: "it", schedule: "0 7 * * *", period: "last-day", enabled: false },
    },
  }).config as Config;
  const run = (
    report: string,
    periodId: string,
    scheduledFor: string,
    status: RunRecord["status"],
    trigger: RunRecord["trigger"] = "schedule",
  ): RunRecord => ({
    run_id: `${report}-${periodId}`,
    report,
    audience: "managers",
    trigger,
    period: { id: periodId, from: "", to: "", timezone: tz },
    scheduled_for: scheduledFor,
    started_at: scheduledFor,
    finished_at: scheduledFor,
    status,
  });
  const now = Date.parse("2026-11-17T10:00:00Z"); // Tuesday: the daemon was down since Mon 2 Nov

  it("runs each missed (report, period) once after a downtime across scheduled fires", () => {
    const history = [run("weekly", "2026-W44", "2026-11-02T07:00:00.000Z", "ok")];
    const plan = planCatchUp(config.reports, tz, history, now, 35);
    expect(plan.map((p) => [p.report, p.period.id, new Date(p.fireAt).toISOString()])).toEqual([
      ["weekly", "2026-W45", "2026-11-09T07:00:00.000Z"],
      ["weekly", "2026-W46", "2026-11-16T07:00:00.000Z"],
    ]);
  });

  it("does nothing the second time, retries a data failure, leaves a delivery failure to resend", () => {
    const afterCatchUp = [
      run("weekly", "2026-W44", "2026-11-02T07:00:00.000Z", "ok"),
      run("weekly", "2026-W45", "2026-11-09T07:00:00.000Z", "ok", "catch-up"),
      run("weekly", "2026-W46", "2026-11-16T07:00:00.000Z", "delivery-failed", "catch-up"),
    ];
    expect(planCatchUp(config.reports, tz, afterCatchUp, now, 35)).toEqual([]);
    const failedOnData = [
      run("weekly", "2026-W44", "2026-11-02T07:00:00.000Z", "ok"),
      run("weekly", "2026-W45", "2026-11-09T07:00:00.000Z", "failed"),
    ];
    expect(planCatchUp(config.reports, tz, failedOnData, now, 35).map((p) => p.period.id)).toEqual([
      "2026-W45",
      "2026-W46",
    ]);
  });

  it("owes a period until it has a finished run, also after a later period finished first", () => {
    const history = [
      run("weekly", "2026-W44", "2026-11-02T07:00:00.000Z", "ok"),
      // W45's catch-up run was killed (never finished); W46's finished after it.
      {
        ...run("weekly", "2026-W45", "2026-11-09T07:00:00.000Z", "running", "catch-up"),
        finished_at: undefined,
      },
      run("weekly", "2026-W46", "2026-11-16T07:00:00.000Z", "ok", "catch-up"),
    ];
    expect(planCatchUp(config.reports, tz, history, now, 35).map((p) => p.period.id)).toEqual(["2026-W45"]);
    // A fire the daemon skipped for a held lock leaves no history; it passes it as owed.
    const skipped = [
      run("weekly", "2026-W44", "2026-11-02T07:00:00.000Z", "ok"),
      run("weekly", "2026-W46", "2026-11-16T07:00:00.000Z", "ok", "catch-up"),
    ];
    expect(planCatchUp(config.reports, tz, skipped, now, 35)).toEqual([]);
    const owed = [{ report: "weekly", fireAt: Date.parse("2026-11-09T07:00:00.000Z") }];
    expect(planCatchUp(config.reports, tz, skipped, now, 35, owed).map((p) => p.period.id)).toEqual([
      "2026-W45",
    ]);
  });

  it("catches nothing up on a first start, for a disabled report, or past its window", () => {
    expect(planCatchUp(config.reports, tz, [], now, 35)).toEqual([]);
    const long = [run("weekly", "2026-W30", "2026-07-27T06:00:00.000Z", "ok")];
    expect(planCatchUp(config.reports, tz, long, now, 8).map((p) => p.period.id)).toEqual(["2026-W46"]);
    const daily = [run("daily", "2026-11-01", "2026-11-02T06:00:00.000Z", "ok")];
    expect(planCatchUp(config.reports, tz, daily, now, 35)).toEqual([]);
  });
});

describe("no overlap", () => {
  it("skips a run of a report while the previous one still holds its lock, then runs again once it is released", async () => {
    const out = await newDir();
    let release: () => void = () => {};
    const first = withReportLock(
      out,
      "weekly",
      () => new Promise<string>((resolve) => (release = () => resolve("first"))),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(await withReportLock(out, "weekly", async () => "second")).toBeNull();
    expect(await withReportLock(out, "other", async () => "other report")).toEqual({
      result: "other report",
    });
    release();
    expect(await first).toEqual({ result: "first" });
    expect(await withReportLock(out, "weekly", async () => "third")).toEqual({ result: "third" });
  });
});

describe("reports schedule --list", () => {
  it("prints next fire times with the right offset on each side of a DST change, and the cron in words", async () => {
    const dir = await newDir();
    const config = await write(
      dir,
      "reports.config.yaml",
      `timezone: ${tz}\nreports:\n  it-daily:\n    audience: it\n    schedule: "0 8 * * *"\n    period: last-day\n`,
    );
    const result = await reports(["schedule", "--list", "--count", "200", "--config", config]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('it-daily: it, "0 8 * * *" = At 08:00, every day (Europe/Paris)');
    const times: [string, string][] = [...result.stdout.matchAll(/next: (\S+)\s+→ (\S+)/g)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]);
    expect(times).toHaveLength(200);
    for (const [at, periodId] of times) {
      const wall = at.slice(11, 19);
      expect(wall, at).toBe("08:00:00");
      // Summer time in Paris runs from the last Sunday of March: +02:00 from then, +01:00 before.
      const summer = at.slice(0, 10) >= "2027-03-28";
      expect(at.endsWith(summer ? "+02:00" : "+01:00"), at).toBe(true);
      expect(periodId, at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(times.some(([at]) => at.endsWith("+02:00"))).toBe(true);
  });
});
