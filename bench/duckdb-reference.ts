import { DuckDBInstance } from "@duckdb/node-api";

/**
 * The yardstick for the file engine's speed (issue: "within 2× of DuckDB"): DuckDB computing,
 * in SQL over the same files and the same two periods, the aggregates the catalog needs: per
 * source the counts, sums, percentiles and group-bys, local hours and days, and the per-session
 * grouping (first event, funnel steps, loss reason, users). Not the product (a devDependency),
 * and not the same rules to the letter: DuckDB's CSV reader skips bad rows its own way and
 * sentiment is not scored. It is the time a columnar engine needs for this work on this machine.
 *
 * Usage: tsx bench/duckdb-reference.ts <data dir> <period from ISO> <period to ISO> <previous from ISO> [zone]
 * Prints one JSON line: {wallMs, queries, rows}.
 */

const [dir, from, to, previousFrom, zone = "Europe/Paris"] = process.argv.slice(2);
if (dir === undefined || from === undefined || to === undefined || previousFrom === undefined) {
  console.error("usage: duckdb-reference.ts <data dir> <from> <to> <previous from> [zone]");
  process.exit(2);
}

const started = performance.now();
const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
const db = await instance.connect();
await db.run(`SET TimeZone = '${zone}'`);
const f = (name: string) => `'${dir}/${name}'`;
const csv = (name: string, columns: Record<string, string>) =>
  `read_csv(${f(name)}, header = true, ignore_errors = true, columns = {${Object.entries(columns)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(", ")}})`;
const t = (column: string) => `epoch_ms(try_cast(${column} AS TIMESTAMPTZ))`;
const bounds = {
  prev: `epoch_ms(TIMESTAMPTZ '${previousFrom}')`,
  from: `epoch_ms(TIMESTAMPTZ '${from}')`,
  to: `epoch_ms(TIMESTAMPTZ '${to}')`,
};
const inPeriods = (time: string) => `${time} >= ${bounds.prev} AND ${time} < ${bounds.to}`;
const period = (time: string) => `CASE WHEN ${time} >= ${bounds.from} THEN 'current' ELSE 'previous' END`;
const pct = (value: string, ps: number[]) => ps.map((p) => `quantile_cont(${value}, ${p})`).join(", ");

// Each source is read once into a table of typed columns, as the file engine reads each file once.
const tables: Record<string, string> = {
  api: `SELECT ${t("timestamp")} AS t, endpoint, status_code, response_time_ms AS ms, service_name AS service FROM ${csv("api_logs.csv", { timestamp: "VARCHAR", endpoint: "VARCHAR", status_code: "INTEGER", response_time_ms: "DOUBLE", service_name: "VARCHAR" })}`,
  pages: `SELECT page_url AS url, ${t("timestamp")} AS t, load_time_ms AS ms FROM ${csv("page_load_times.csv", { page_url: "VARCHAR", timestamp: "VARCHAR", load_time_ms: "DOUBLE" })}`,
  clicks: `SELECT user_id, ${t("timestamp")} AS t, page, element_clicked AS element FROM ${csv("clickstream.csv", { user_id: "VARCHAR", timestamp: "VARCHAR", page: "VARCHAR", element_clicked: "VARCHAR" })}`,
  carts: `SELECT user_id, cart_id, ${t("abandonment_time")} AS t, items_in_cart AS items, total_value AS value FROM ${csv("cart_abandonment.csv", { user_id: "VARCHAR", cart_id: "VARCHAR", abandonment_time: "VARCHAR", items_in_cart: "BIGINT", total_value: "DOUBLE" })}`,
  journeys: `SELECT session_id, user_id, ${t("start_time")} AS t, ${t("end_time")} AS t_end, regexp_replace(page_sequence, '\\s+', ' ', 'g') AS path, drop_off_page AS drop FROM ${csv("session_tracking.csv", { session_id: "VARCHAR", user_id: "VARCHAR", start_time: "VARCHAR", end_time: "VARCHAR", page_sequence: "VARCHAR", drop_off_page: "VARCHAR" })}`,
  feedback: `SELECT user_id, ${t("timestamp")} AS t, rating, lower(feedback_text) AS text FROM ${csv("user_feedback.csv", { user_id: "VARCHAR", timestamp: "VARCHAR", feedback_text: "VARCHAR", rating: "INTEGER" })}`,
  support: `SELECT ticket_id, ${t("created_at")} AS created, ${t("resolved_at")} AS resolved, category, lower(priority) AS priority, csat FROM ${csv("support_tickets.csv", { ticket_id: "VARCHAR", created_at: "VARCHAR", resolved_at: "VARCHAR", category: "VARCHAR", priority: "VARCHAR", user_id: "VARCHAR", channel: "VARCHAR", status: "VARCHAR", csat: "INTEGER" })}`,
  sessions: `SELECT user_id, session_id, path, css, ${t("event_time")} AS t, text, value FROM read_json(${f("sessions.jsonl")}, format = 'newline_delimited', ignore_errors = true, columns = {user_id: 'VARCHAR', session_id: 'VARCHAR', path: 'VARCHAR', css: 'VARCHAR', event_time: 'VARCHAR', text: 'VARCHAR', value: 'VARCHAR'})`,
};
await Promise.all(Object.entries(tables).map(([name, sql]) => db.run(`CREATE TABLE ${name} AS ${sql}`)));

const hour = (time: string) => `date_trunc('hour', make_timestamptz(${time}::BIGINT * 1000))`;
const day = (time: string) => `CAST(make_timestamptz(${time}::BIGINT * 1000) AS DATE)`;
const queries = [
  // API
  `SELECT ${period("t")} AS p, count(*), count(*) FILTER (status_code >= 400), count(*) FILTER (status_code >= 500), sum(ms), ${pct("ms", [0.5, 0.95, 0.99])} FROM api WHERE ${inPeriods("t")} GROUP BY p`,
  `SELECT ${period("t")} AS p, service, count(*), count(*) FILTER (status_code >= 400), sum(ms), ${pct("ms", [0.5, 0.95, 0.99])} FROM api WHERE ${inPeriods("t")} GROUP BY p, service`,
  `SELECT ${period("t")} AS p, endpoint, count(*), count(*) FILTER (status_code >= 400), sum(ms), ${pct("ms", [0.5, 0.95, 0.99])} FROM api WHERE ${inPeriods("t")} GROUP BY p, endpoint`,
  `SELECT ${period("t")} AS p, status_code, count(*) FROM api WHERE ${inPeriods("t")} GROUP BY p, status_code`,
  `SELECT ${period("t")} AS p, ${hour("t")} AS h, count(*), count(*) FILTER (status_code >= 400) FROM api WHERE ${inPeriods("t")} GROUP BY p, h`,
  `SELECT ${period("t")} AS p, ${day("t")} AS d, service, count(*), count(*) FILTER (status_code >= 500) FROM api WHERE ${inPeriods("t")} GROUP BY p, d, service`,
  // Pages
  `SELECT ${period("t")} AS p, count(*), sum(ms), ${pct("ms", [0.75])} FROM pages WHERE ${inPeriods("t")} GROUP BY p`,
  `SELECT ${period("t")} AS p, url, count(*), sum(ms), ${pct("ms", [0.5, 0.75, 0.95])} FROM pages WHERE ${inPeriods("t")} GROUP BY p, url`,
  // Clicks
  `SELECT ${period("t")} AS p, page, count(*) FROM clicks WHERE ${inPeriods("t")} GROUP BY p, page`,
  `SELECT ${period("t")} AS p, element, count(*) FROM clicks WHERE ${inPeriods("t")} GROUP BY p, element`,
  `SELECT ${period("t")} AS p, user_id, count(*) FROM clicks WHERE ${inPeriods("t")} GROUP BY p, user_id`,
  // Carts
  `SELECT ${period("t")} AS p, count(*), sum(items), sum(value), arg_max(cart_id, value) FROM carts WHERE ${inPeriods("t")} GROUP BY p`,
  `SELECT ${period("t")} AS p, user_id, count(*) FROM carts WHERE ${inPeriods("t")} GROUP BY p, user_id`,
  // Journeys
  `SELECT ${period("t")} AS p, count(*), sum((t_end - t) / 60000), ${pct("(t_end - t) / 60000", [0.5])}, count(*) FILTER (drop = 'none') FROM journeys WHERE ${inPeriods("t")} GROUP BY p`,
  `SELECT ${period("t")} AS p, drop, count(*) FROM journeys WHERE ${inPeriods("t")} AND drop <> 'none' GROUP BY p, drop`,
  `SELECT ${period("t")} AS p, path, count(*) FROM journeys WHERE ${inPeriods("t")} GROUP BY p, path`,
  // Feedback (ratings and themes; the text's tone is scored by the product's own code, not here)
  `SELECT ${period("t")} AS p, count(*), sum(rating), count(*) FILTER (rating = 1), count(*) FILTER (rating = 5), count(*) FILTER (text LIKE '%payment%' OR text LIKE '%card%') FROM feedback WHERE ${inPeriods("t")} GROUP BY p`,
  // Support, each period on its own
  ...[
    [bounds.from, bounds.to],
    [bounds.prev, bounds.from],
  ].map(
    ([a, b]) =>
      `SELECT priority, count(*) FILTER (created >= ${a} AND created < ${b}), count(*) FILTER (resolved >= ${a} AND resolved < ${b}), count(*) FILTER (created < ${b} AND (resolved IS NULL OR resolved >= ${b})), quantile_cont((resolved - created) / 3600000, 0.5) FILTER (resolved >= ${a} AND resolved < ${b}), quantile_cont((resolved - created) / 3600000, 0.9) FILTER (resolved >= ${a} AND resolved < ${b}), avg(csat) FILTER (resolved >= ${a} AND resolved < ${b}) FROM support WHERE created < ${b} OR (resolved >= ${a} AND resolved < ${b}) GROUP BY priority`,
  ),
  `SELECT category, count(*) FROM support WHERE created >= ${bounds.from} AND created < ${bounds.to} GROUP BY category`,
  // Sessions: grouped by session, placed by their first event, steps, loss reasons, users
  `CREATE TEMP TABLE s AS SELECT session_id, min(t) AS first, count(*) AS events, list(DISTINCT user_id) AS users,
     min(t) FILTER (path LIKE '/products%') AS t0, min(t) FILTER (css = 'button.add-to-cart') AS t1,
     min(t) FILTER (path = '/cart' AND css = 'button.checkout') AS t2, min(t) FILTER (path = '/checkout') AS t3,
     min(t) FILTER (path = '/checkout' AND css = 'button.place-order') AS t4,
     arg_min(path || ' - ' || coalesce(text, ''), t) FILTER (css LIKE '%div.error-message%') AS reason
   FROM sessions GROUP BY session_id HAVING min(t) >= ${bounds.prev} AND min(t) < ${bounds.to}`,
  `SELECT ${period("first")} AS p, count(*), sum(events), count(t0), count(*) FILTER (t0 IS NOT NULL AND t1 IS NOT NULL), count(*) FILTER (t4 IS NOT NULL AND t3 IS NOT NULL AND t2 IS NOT NULL AND t1 IS NOT NULL AND t0 IS NOT NULL), quantile_cont((t4 - t0) / 1000, 0.5) FROM s GROUP BY p`,
  `SELECT ${period("first")} AS p, coalesce(reason, 'No error'), count(*) FROM s WHERE t0 IS NOT NULL AND t4 IS NULL GROUP BY ALL`,
  `SELECT p, count(*), count(*) FILTER (n >= 2) FROM (SELECT p, u, count(*) AS n FROM (SELECT ${period("first")} AS p, unnest(users) AS u FROM s) GROUP BY p, u) GROUP BY p`,
];
let rows = 0;
for (const sql of queries) {
  const result = await db.runAndReadAll(sql);
  rows += result.getRows().length;
}
console.log(
  JSON.stringify({ wallMs: Math.round(performance.now() - started), queries: queries.length, rows }),
);
