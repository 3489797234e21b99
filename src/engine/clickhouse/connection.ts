import { Readable } from "node:stream";
import {
  type ClickHouseClient,
  type ClickHouseError,
  ClickHouseLogLevel,
  createClient,
} from "@clickhouse/client";
import { ReportsError } from "../../errors.js";

/**
 * The one way this program talks to ClickHouse: the official `@clickhouse/client` over the HTTP
 * interface. It works against the oldest server we test (18.16) for queries and commands, keeps
 * connections alive, and stops a request that outlives its timeout. Queries return
 * `JSONEachRow`, and every byte of every answer is counted (`bytesReceived`), so a run can show
 * that only aggregates travelled. Rows are inserted as `RowBinary` (row-binary.ts): the servers
 * we test parse decimal text into the nearest double only most of the time (1 value in 10,000
 * lands one unit in the last place away), binary doubles arrive exact.
 *
 * The server comes from the environment only, `CLICKHOUSE_URL`; its password is never printed:
 * messages name the server as `http://user@host:port`.
 */

/** Where the server is, and how messages name it (no password). */
export interface ClickHouseTarget {
  url: string;
  shown: string;
}

/** The server CLICKHOUSE_URL names, or a usage error (exit 2) saying what is wrong with the variable. */
export function clickhouseTarget(env: NodeJS.ProcessEnv): ClickHouseTarget {
  const raw = env.CLICKHOUSE_URL;
  if (raw === undefined || raw.trim() === "")
    throw new ReportsError(
      "usage",
      "CLICKHOUSE_URL is not set: the clickhouse engine needs the server, e.g. CLICKHOUSE_URL=http://user:password@host:8123",
    );
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ReportsError(
      "usage",
      "CLICKHOUSE_URL is not a URL (expected http://user:password@host:8123; the value is not shown, it may hold a password)",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ReportsError(
      "usage",
      `CLICKHOUSE_URL: the HTTP interface is needed (http:// or https://), not ${url.protocol}//`,
    );
  const user = url.username === "" ? "" : `${decodeURIComponent(url.username)}@`;
  const shown = `${url.protocol}//${user}${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  return { url: url.href, shown };
}

export interface WarehouseOptions {
  database: string;
  /** The server stops a query after this long (max_execution_time); the client gives up a little later. */
  queryTimeoutS: number;
}

/** One server connection with the byte count of everything it answered. */
export class Warehouse {
  readonly target: ClickHouseTarget;
  readonly database: string;
  private readonly client: ClickHouseClient;
  private readonly timeoutS: number;
  /** Bytes of every answer received (query results), for the run's notes and the tests. */
  bytesReceived = 0;
  queries = 0;

  constructor(target: ClickHouseTarget, options: WarehouseOptions) {
    this.target = target;
    this.database = options.database;
    this.timeoutS = options.queryTimeoutS;
    this.client = createClient({
      url: target.url,
      request_timeout: Math.ceil((options.queryTimeoutS + 15) * 1000),
      compression: { request: false, response: false },
      // A socket the server closed (its keep-alive is 3 s) must not be reused by a process busy
      // parsing an answer: drop idle sockets after 1 s and before each use.
      keep_alive: { enabled: true, idle_socket_ttl: 1000, eagerly_destroy_stale_sockets: true },
      // Failures reach the operator as one line each (failure() below), not as the client's logs.
      log: { level: ClickHouseLogLevel.OFF },
      clickhouse_settings: {
        output_format_json_quote_64bit_integers: 0,
        max_execution_time: Math.ceil(options.queryTimeoutS),
      },
    });
  }

  /**
   * Runs a SELECT; `what` names it in errors ("api: by service"). Statements name tables with
   * their database (`db`.`table`), so the connection itself needs none.
   */
  async rows<T>(query: string, what: string, session?: string): Promise<T[]> {
    try {
      const text = await this.text(query, session).catch((err: unknown) => {
        // A kept-alive socket the server had closed: a SELECT is safe to send once more.
        const code = (err as NodeJS.ErrnoException | undefined)?.code;
        if (
          code === "ECONNRESET" ||
          /socket hang up|other side closed/i.test(String((err as Error)?.message))
        )
          return this.text(query, session);
        throw err;
      });
      this.queries += 1;
      this.bytesReceived += Buffer.byteLength(text);
      const rows: T[] = [];
      for (const line of text.split("\n")) if (line !== "") rows.push(JSON.parse(line) as T);
      return rows;
    } catch (err) {
      throw this.failure(err, what);
    }
  }

  private async text(query: string, session: string | undefined): Promise<string> {
    const result = await this.client.query({
      query,
      format: "JSONEachRow",
      ...(session === undefined ? {} : { session_id: session }),
    });
    return result.text();
  }

  /**
   * Runs a statement that returns nothing (CREATE, ALTER, INSERT … SELECT); in `session`, a
   * temporary table lives as long as the session.
   */
  async command(
    query: string,
    what: string,
    settings: Record<string, number> = {},
    session?: string,
  ): Promise<void> {
    try {
      await this.client.command({
        query,
        clickhouse_settings: settings,
        ...(session === undefined ? {} : { session_id: session }),
      });
      this.queries += 1;
    } catch (err) {
      throw this.failure(err, what);
    }
  }

  /** Sends rows already encoded as RowBinary in `columns` order. */
  async insertRowBinary(
    table: string,
    columns: readonly string[],
    body: Buffer,
    what: string,
    settings: Record<string, number> = {},
  ): Promise<void> {
    try {
      const result = await this.client.exec({
        query: `INSERT INTO ${table} (${columns.map(quoteName).join(", ")}) FORMAT RowBinary`,
        values: Readable.from([body]),
        clickhouse_settings: settings,
      });
      for await (const _ of result.stream) {
        // An INSERT answers nothing; reading to the end releases the connection.
      }
      this.queries += 1;
    } catch (err) {
      throw this.failure(err, what);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** A client or server error as a one-line ReportsError naming the server (never its password). */
  failure(err: unknown, what: string): ReportsError {
    if (err instanceof ReportsError) return err;
    const at = `clickhouse ${this.target.shown}`;
    const code = serverErrorCode(err);
    if (code !== null) {
      const first = firstLine((err as Error).message);
      if (AUTH_CODES.has(code))
        return new ReportsError(
          "usage",
          `${at}: the user or password in CLICKHOUSE_URL was refused (${first})`,
        );
      if (code === UNKNOWN_DATABASE)
        return new ReportsError("usage", `${at}: no database "${this.database}" (clickhouse.database)`);
      if (code === TIMEOUT_EXCEEDED)
        return new ReportsError(
          "data",
          `${at}: ${what}: the query took longer than ${this.timeoutS} s (clickhouse.query_timeout_s)`,
        );
      if (SCHEMA_CODES.has(code))
        return new ReportsError("usage", `${at}: ${what}: ${first} (see reports load --print-schema)`);
      return new ReportsError("data", `${at}: ${what}: ${first}`);
    }
    const message = err instanceof Error ? err.message : String(err);
    const errno = (err as NodeJS.ErrnoException | undefined)?.code;
    if (errno !== undefined && NETWORK_CODES.has(errno))
      return new ReportsError(
        "data",
        errno === "ECONNREFUSED"
          ? `${at}: cannot connect (ECONNREFUSED); is the server running?`
          : `${at}: ${what}: the connection failed (${errno})`,
      );
    if (/timeout/i.test(message))
      return new ReportsError(
        "data",
        `${at}: ${what}: no answer within ${this.timeoutS + 15} s (clickhouse.query_timeout_s)`,
      );
    if (err instanceof Error && /credentials|authenticat|password/i.test(message))
      return new ReportsError("usage", `${at}: the user or password in CLICKHOUSE_URL was refused`);
    return new ReportsError("data", `${at}: ${what}: ${firstLine(scrub(message, this.target.url))}`);
  }
}

/**
 * The code of an error the server answered, or null. The client parses newer servers' errors
 * (`Code: 60. DB::Exception: …`) into a ClickHouseError with `code`; 18.x writes `Code: 60,
 * e.displayText() = …`, which reaches us as a plain Error: the code is read from its text.
 */
function serverErrorCode(err: unknown): number | null {
  if (!(err instanceof Error)) return null;
  const code = (err as Partial<ClickHouseError>).code;
  if (typeof code === "string" && /^\d+$/.test(code)) return Number(code);
  const match = /^Code: (\d+)[.,]/.exec(err.message);
  return match === null ? null : Number(match[1]);
}

/** Backtick-quoted identifier (names are checked to be plain words by the configuration schema). */
export function quoteName(name: string): string {
  return `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;
}

/** 192 unknown user, 193 wrong password (18.x); 516 authentication failed (newer servers). */
const AUTH_CODES = new Set([192, 193, 194, 516]);
const UNKNOWN_DATABASE = 81;
const TIMEOUT_EXCEEDED = 159;
/** 16 no such column in table, 47 unknown identifier, 60 unknown table. */
const SCHEMA_CODES = new Set([16, 47, 60]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
]);

function firstLine(message: string): string {
  const line = (message.split("\n")[0] ?? "").replace(/^Code: \d+, e\.displayText\(\) = DB::Exception: /, "");
  return line
    .replace(/,? ?e\.what\(\) = .*$/, "")
    .replace(/\s*\(version [^)]*\)\s*$/, "")
    .trim();
}

/** Never echo the URL (it may hold the password) in a message that quotes the client. */
function scrub(message: string, url: string): string {
  return message.replaceAll(url, "<CLICKHOUSE_URL>");
}
