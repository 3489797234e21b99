import { z } from "zod";
import { SOURCE_NAMES } from "../types.js";
import { SLUG, slug, timeZone } from "./fields.js";
import { DEFAULT_REPORTS, report } from "./report-schema.js";

export { DEFAULT_REPORTS, SLUG };

/**
 * The configuration's shape, defaults and rules. Parsing is pure (no file or environment access):
 * `load.ts` reads the file and the environment at the edge and hands the object here.
 */

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));
const currency = z.string().refine((code) => CURRENCIES.has(code), {
  message: "not an ISO 4217 currency code this runtime knows (e.g. EUR, USD, GBP, in capitals)",
});

const sourcePatterns = z.strictObject(
  Object.fromEntries(SOURCE_NAMES.map((name) => [name, z.string().min(1).optional()])) as {
    [K in (typeof SOURCE_NAMES)[number]]: z.ZodOptional<z.ZodString>;
  },
);

/** A ClickHouse identifier the engine quotes with backticks: letters, digits and `_`, not starting with a digit. */
const clickhouseName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "letters, digits and _ only, not starting with a digit" });

/** The tables each source is read from in ClickHouse (src/engine/clickhouse/schema.ts). */
export const DEFAULT_CLICKHOUSE_TABLES = {
  sessions: "sessions",
  api: "api_logs",
  pages: "page_load_times",
  clicks: "clickstream",
  carts: "cart_abandonment",
  journeys: "session_tracking",
  feedback: "user_feedback",
  support: "support_tickets",
} as const;

const clickhouseTables = z.strictObject(
  Object.fromEntries(
    SOURCE_NAMES.map((name) => [name, clickhouseName.default(DEFAULT_CLICKHOUSE_TABLES[name])]),
  ) as { [K in (typeof SOURCE_NAMES)[number]]: z.ZodDefault<typeof clickhouseName> },
);

const audience = z.strictObject({
  /** Replaces the template's title on the cover and in the metadata. */
  title: z.string().min(1).optional(),
  /**
   * What the readers are called on the cover, in the running header and in a mail subject's
   * `{audience}` ("IT", "Store managers"); by default the key made readable (config/names.ts).
   */
  name: z.string().min(1).max(60).optional(),
  /** Template file name under templates/ (without extension); the audience's own name by default. */
  template: slug.optional(),
});

export const DEFAULT_AUDIENCES = { managers: {}, ux: {}, it: {}, support: {} };

/** Funnel steps of docs/data-contract.md §6; each matches an event when every condition it names holds. */
export const DEFAULT_FUNNEL_STEPS = [
  { name: "viewed_product", path_prefix: "/products" },
  { name: "added_to_cart", css: "button.add-to-cart" },
  { name: "viewed_cart", path: "/cart", css: "button.checkout" },
  { name: "checkout_started", path: "/checkout" },
  { name: "order_placed", path: "/checkout", css: "button.place-order" },
];

const funnelStep = z
  .strictObject({
    /** Becomes the metric ID `funnel.<name>`. */
    name: z.string().regex(/^[a-z0-9_]+$/, "must be a name of a-z, 0-9 and _ (it becomes a metric ID)"),
    path: z.string().min(1).optional(),
    path_prefix: z.string().min(1).optional(),
    css: z.string().min(1).optional(),
    css_contains: z.string().min(1).optional(),
  })
  .refine(
    (s) =>
      s.path !== undefined ||
      s.path_prefix !== undefined ||
      s.css !== undefined ||
      s.css_contains !== undefined,
    {
      message: "needs at least one of path, path_prefix, css, css_contains",
    },
  );

const hours = z.number().positive();

export const configSchema = z
  .strictObject({
    /** IANA zone for naive timestamps and period boundaries. */
    timezone: timeZone.default("UTC"),
    /**
     * ISO 4217 code of the amounts in the data (carts' `total_value`): money is printed with it
     * everywhere. The data carries bare numbers, so this is the only place the currency is known.
     * EUR by default, the currency of the bundled sample's shop.
     */
    currency: currency.default("EUR"),
    /**
     * Where the rows are read and the metrics computed: `files` (this machine's files, data.*) or
     * `clickhouse` (tables in a ClickHouse server or cluster, clickhouse.*).
     * Checked against the known engines (src/engine/engines.ts) by the commands that read data.
     */
    engine: z.string().min(1).default("files"),
    data: z
      .strictObject({
        /** Where the source files are, relative to the configuration file. */
        dir: z.string().min(1).default("data"),
        /** Per source: a file, a directory or a glob, relative to `dir`. */
        sources: sourcePatterns.prefault({}),
        /**
         * Largest share of rejected rows a source may have before the run fails (0.05 = 5 %). A share
         * equal to the limit passes.
         */
        reject_limit: z.number().min(0).max(1).default(0.05),
        /**
         * Threads reading the sources at once: "auto" (the cores this process may use) or a count.
         * Each thread costs a few tens of MB; 1 reads everything in the main thread.
         */
        workers: z.union([z.literal("auto"), z.number().int().min(1).max(64)]).default("auto"),
        /**
         * A file of at least twice this many MB is read in parts of about this size, so several
         * threads share one large file. Smaller parts balance the threads better; each part costs
         * one more set of partial metric states to merge.
         */
        split_mb: z.number().min(1).default(16),
        /**
         * Sessions keep a row per session until every file is read. A sessions source of at least
         * `spill_from_mb` MB (gzip counted at 8× its size) is finished in slices of sessions, one
         * slice per `spill_slice_mb` MB, the others waiting in temporary files under `spill_dir`
         * (default: the system's temporary folder, $TMPDIR); about a third of the source's size
         * on disk for the run's length. Memory then stays flat however large the source.
         */
        spill_from_mb: z.number().positive().default(256),
        spill_slice_mb: z.number().positive().default(128),
        spill_dir: z.string().min(1).optional(),
      })
      .prefault({}),
    /**
     * The ClickHouse engine (`engine: clickhouse`). The server comes from the environment only
     * (CLICKHOUSE_URL, `http://user:password@host:8123`), so no password is ever in this file.
     */
    clickhouse: z
      .strictObject({
        /** The database holding the tables (and the loader's bookkeeping tables). */
        database: clickhouseName.default("default"),
        /**
         * A cluster name from the server's `remote_servers`: the source tables are then
         * `Distributed` tables over a local table per shard (`reports load --print-schema --cluster`).
         */
        cluster: clickhouseName.optional(),
        /** Table per source. */
        tables: clickhouseTables.prefault({}),
        /** Longest a query may run (the server stops it: max_execution_time) before the run fails. */
        query_timeout_s: z.number().positive().max(86_400).default(300),
        /** Rows `reports load` sends in one INSERT. */
        insert_batch_rows: z.number().int().min(1).max(10_000_000).default(200_000),
      })
      .prefault({}),
    /**
     * The HTTP face of the daemon (`reports schedule`) and of `reports serve`: health, Prometheus
     * metrics, the archive page and, with REPORTS_ADMIN_TOKEN in the environment, run and resend.
     */
    server: z
      .strictObject({
        /** `HOST:PORT` to listen on (the daemon serves nothing without it or --listen). */
        listen: z
          .string()
          .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, {
            message: "expected HOST:PORT, e.g. 127.0.0.1:8080",
          })
          .optional(),
        /**
         * Host names the server answers to besides the address it listens on and localhost (the
         * name a reverse proxy passes on): any other Host header is refused (421), so a web page
         * cannot reach the server through DNS rebinding.
         */
        allowed_hosts: z.array(z.string().min(1)).default([]),
        /** A scheduled report is overdue once its last fire is older than this with no run for it. */
        overdue_grace_s: z.number().min(0).default(3600),
        /** Periods the archive page lists (newest first). */
        archive_periods: z.number().int().min(1).max(1000).default(60),
      })
      .prefault({}),
    output: z
      .strictObject({
        /** Where `<period>/` folders go, relative to the configuration file. */
        dir: z.string().min(1).default("out"),
        page_size: z.enum(["A4", "Letter"]).default("A4"),
      })
      .prefault({}),
    audiences: z.record(slug, audience).default(DEFAULT_AUDIENCES),
    /** Where audience templates are, relative to the configuration file; the bundled templates/ by default. */
    templates_dir: z.string().min(1).optional(),
    reports: z.record(slug, report).prefault(DEFAULT_REPORTS),
    email: z
      .strictObject({
        /** A PDF larger than this is not attached; the mail carries its path (or link) instead. */
        max_attachment_mb: z.number().positive().default(10),
        /** Where the output directory is served, for links in mails over the size budget. */
        link_base_url: z.url().optional(),
        /** Attempts for a transient failure (connection error, SMTP 4xx), with doubling delays. */
        attempts: z.number().int().min(1).max(10).default(4),
        first_retry_delay_s: z.number().min(0).default(5),
      })
      .prefault({}),
    schedule: z
      .strictObject({
        /** On start, run each (report, period) whose scheduled time passed while the daemon was down. */
        catch_up: z.boolean().default(true),
        /** How far back catch-up looks. */
        catch_up_days: z.number().int().min(1).max(366).default(35),
        /** How long a running report may take to finish after SIGTERM before the daemon exits anyway. */
        shutdown_grace_s: z.number().min(0).default(120),
        /**
         * How long any run that can mail (manual, one-shot, fire, catch-up, resend) waits for its
         * report's lock while another run holds it, before giving up (exit 4 for a command).
         */
        lock_wait_s: z.number().min(0).default(30),
      })
      .prefault({}),
    funnel: z
      .strictObject({
        /** In funnel order; stage sets are cumulative (a session in a stage is in every stage before). */
        steps: z
          .array(funnelStep)
          .min(2)
          .default(DEFAULT_FUNNEL_STEPS)
          .refine((steps) => new Set(steps.map((s) => s.name)).size === steps.length, {
            message: "step names must be unique",
          }),
      })
      .prefault({}),
    support: z
      .strictObject({
        /** Hours a ticket of each priority may take before it breaches its SLA. */
        sla_hours: z
          .strictObject({
            urgent: hours.default(4),
            high: hours.default(24),
            normal: hours.default(72),
            low: hours.default(168),
          })
          .prefault({}),
      })
      .prefault({}),
    feedback: z
      .strictObject({
        /**
         * Thresholds on the comparative sentiment score (score per word). Measured on the seed
         * feedback: 10 of 10 texts agree with their rating class anywhere from ±0.15 to ±0.25.
         */
        sentiment: z
          .strictObject({ positive_at: z.number().default(0.2), negative_at: z.number().default(-0.2) })
          .prefault({})
          .refine((t) => t.negative_at < t.positive_at, { message: "negative_at must be below positive_at" }),
      })
      .prefault({}),
    /** When a source's rows do not cover the period (insights/coverage.ts, docs/metrics.md "Data completeness"). */
    completeness: z
      .strictObject({
        /**
         * A day (an hour, for a period of a day or less) with no rows is missing only when at
         * least this many rows were expected in it: from the same day of the period before, or
         * the source's usual day. Sparse sources (a few tickets a day) are then never flagged for
         * a quiet day; 10 expected rows arriving as none happens by chance about 1 time in 22,000.
         */
        min_expected_rows: z.number().positive().default(10),
      })
      .prefault({}),
    findings: z
      .strictObject({
        /** A rate (conversion, availability, error rate …) moving this many percentage points is worth a sentence. */
        change_points: z.number().positive().default(2),
        /** Any other figure moving by this share (0.1 = 10 %) is worth a sentence. */
        change_share: z.number().positive().default(0.1),
        /**
         * A change past its threshold is reported only when its test gives a p-value below this
         * (against the period before and, where the archive has it, the median of the last
         * periods); otherwise it is a "movement within normal variation".
         */
        alpha: z.number().gt(0).lt(1).default(0.01),
        /** A worse change is critical when p is below this and it is `critical_size` times its threshold. */
        critical_alpha: z.number().gt(0).lt(1).default(0.001),
        critical_size: z.number().min(1).default(3),
        /** No change is claimed from fewer than this many values (sessions, requests, tickets…) a side. */
        min_observations: z.number().int().min(1).default(30),
        /** Compare with the median of this many periods before (from the reports in out/); under 3: the period before only. */
        baseline_periods: z.number().int().min(1).max(52).default(4),
        /** A page's p75 or an endpoint's p95 rising by this share (0.2 = 20 %) is worth a sentence. */
        slower_share: z.number().positive().default(0.2),
        /** A service-day is an incident when its 5xx share is this many times the service's usual rate … */
        incident_factor: z.number().positive().default(5),
        /** … and at least this share of its requests … */
        incident_min_rate: z.number().min(0).max(1).default(0.05),
        /** … over at least this many requests … */
        incident_min_requests: z.number().int().min(1).default(10),
        /** … with at least this many 5xx responses (one stray error on a quiet day is no incident) … */
        incident_min_errors: z.number().int().min(1).default(4),
        /**
         * … that its usual rate (its other days, this period and the one before) would give with a
         * probability below this (one-sided exact binomial; about 35 service-days a week are tested).
         */
        incident_alpha: z.number().gt(0).lt(1).default(0.001),
        /** API availability below this is worth a sentence whatever its change. */
        availability_target: z.number().min(0).max(1).default(0.995),
      })
      .refine((f) => f.critical_alpha <= f.alpha, {
        message: "must not be above findings.alpha (a critical change is a surer warning)",
        path: ["critical_alpha"],
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const [name, report] of Object.entries(config.reports)) {
      if (!(report.audience in config.audiences)) {
        ctx.addIssue({
          code: "custom",
          path: ["reports", name, "audience"],
          message: `no audience named ${report.audience} (audiences: ${Object.keys(config.audiences).join(", ")})`,
        });
      }
    }
  });

export type Config = z.infer<typeof configSchema>;
export type AudienceConfig = Config["audiences"][string];
export type ReportConfig = Config["reports"][string];
