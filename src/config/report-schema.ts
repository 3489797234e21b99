import cron from "node-cron";
import { z } from "zod";
import { slug, timeZone } from "./fields.js";

/** One entry of `reports:` (schema.ts): what a scheduled report is. */

const cronExpression = z.string().superRefine((expression, ctx) => {
  const check = cron.validateDetailed(expression);
  if (!check.valid) {
    const why = check.errors
      .map((e) => `${e.field}${e.value === undefined ? "" : ` "${e.value}"`}: ${e.message}`)
      .join("; ");
    ctx.addIssue({ code: "custom", message: `not a valid cron expression (${why})` });
  }
});

const reportPeriod = z.union(
  [
    z.enum(["last-day", "last-week", "last-month"]),
    z.strictObject({ days: z.number().int().min(1).max(366) }),
  ],
  { error: "must be last-day, last-week, last-month or {days: N}" },
);

export const report = z.strictObject({
  /** Which audience's template the report renders. */
  audience: slug,
  /** When it runs: a cron expression (5 fields, or 6 with seconds) … */
  schedule: cronExpression,
  /** … in this zone (the configuration's by default). Periods are computed in it too. */
  timezone: timeZone.optional(),
  /**
   * The period a run covers, relative to the moment it fires: the day before, the Monday-based
   * week before, the calendar month before, or `{days: N}` (N whole days ending at midnight).
   */
  period: reportPeriod.default("last-week"),
  to: z.array(z.email()).default([]),
  cc: z.array(z.email()).default([]),
  bcc: z.array(z.email()).default([]),
  /** Placeholders: {title}, {audience} (what its readers are called: config/names.ts), {period} (in words), {period_id}. */
  subject: z.string().min(1).default("{title}: {period}"),
  enabled: z.boolean().default(true),
  /**
   * Wait for late data before a scheduled run (or `run --wait`): check the data's coverage of the
   * period every `every_minutes`, until it is complete or `until` (HH:MM in the report's zone,
   * on the day the run fired) has passed. Without it a run goes ahead at once.
   */
  wait_for_data: z
    .strictObject({
      every_minutes: z.number().min(1).default(15),
      until: z
        .string({ error: "must be a time of day HH:MM (24 h), quoted" })
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day HH:MM (24 h)"),
    })
    .optional(),
  /**
   * What a run does when the data is still incomplete (after waiting, if it waits): `report`
   * (render and mail with the completeness findings first) or `fail` (exit 1, no mail, recorded
   * in the history; catch-up tries the period again later).
   */
  on_incomplete: z.enum(["report", "fail"]).default("report"),
});

/** Without a `reports:` section: one report per audience, written to disk, mailed to nobody. */
export const DEFAULT_REPORTS = {
  managers: { audience: "managers", schedule: "0 8 * * 1", period: "last-week" },
  ux: { audience: "ux", schedule: "0 8 * * 1", period: "last-week" },
  it: { audience: "it", schedule: "0 7 * * *", period: "last-day" },
  support: { audience: "support", schedule: "30 8 * * 1", period: "last-week" },
} as const;
