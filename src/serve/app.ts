import { Readable } from "node:stream";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Config } from "../config/schema.js";
import type { EmailMode } from "../deliver/deliver.js";
import type { JobContext } from "../run/report-job.js";
import { type ActionResult, type Actions, resendAction, runAction } from "./actions.js";
import { readArchive } from "./archive.js";
import { servedFile } from "./files.js";
import { archivePage, resultPage, STYLE } from "./page.js";
import { createExporter } from "./prometheus.js";
import { health, readState } from "./state.js";

/**
 * The HTTP face (Hono): `/healthz`, `/readyz`, `/metrics`, the archive page `/` with its files
 * under `/files/`, and the two actions. Every answer carries a strict Content-Security-Policy (no
 * script at all, styles only from /style.css) and `nosniff`; request bodies are capped; an error
 * in a handler is a 500 page, never the end of the process (the daemon keeps firing).
 */
export interface AppOptions {
  config: Config;
  outDir: string;
  timeZone: string;
  /** The host the server listens on: a Host header naming it is accepted. */
  listenHost?: string;
  /** "daemon": served by `reports schedule` (the daemon's state counts); "serve": history alone. */
  mode: "daemon" | "serve";
  job: JobContext;
  email: EmailMode;
  actions: Actions;
  now?: () => number;
  onError?: (err: unknown) => void;
}

const BODY_LIMIT = 16 * 1024;
const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

export function createApp(options: AppOptions): Hono {
  const now = options.now ?? Date.now;
  const exporter = createExporter();
  const graceMs = options.config.server.overdue_grace_s * 1000;
  const state = () => readState(options.config, options.outDir, options.timeZone, now());
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use(async (c, next) => {
    if (!hostAllowed(c.req.header("host"), options.listenHost, options.config.server.allowed_hosts))
      return c.text(
        "misdirected request: the server does not answer to this host name (server.allowed_hosts)",
        421,
      );
    await next();
  });
  app.use("*", bodyLimit({ maxSize: BODY_LIMIT, onError: (c) => c.text("request body too large", 413) }));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.text(err.message, err.status);
    options.onError?.(err);
    return c.text("internal error: the server logged it", 500);
  });
  app.notFound((c) => c.text("not found", 404));

  app.get("/readyz", (c) => c.json({ ok: true, mode: options.mode }));
  app.get("/healthz", async (c) => {
    const result = health(await state(), options.mode, graceMs);
    return c.json(result, result.ok ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const current = await state();
    const text = await exporter.render(current, health(current, options.mode, graceMs));
    return c.body(text, 200, { "Content-Type": exporter.contentType });
  });
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/style.css", (c) => c.body(String(STYLE), 200, { "Content-Type": "text/css; charset=utf-8" }));
  app.get("/", async (c) => {
    const current = await state();
    const archive = await readArchive(
      current,
      options.outDir,
      health(current, options.mode, graceMs),
      options.config.server.archive_periods,
    );
    return c.html(archivePage(archive, options.actions));
  });
  app.get("/files/*", async (c) => {
    const raw = new URL(c.req.url).pathname.slice("/files/".length);
    const found = await servedFile(options.outDir, raw);
    if (found === null) return c.text("not found", 404);
    // From the handle that was checked, exactly the size that was checked.
    if (found.size === 0) await found.handle.close();
    const body =
      found.size === 0
        ? new Uint8Array(0)
        : (Readable.toWeb(
            found.handle.createReadStream({ start: 0, end: found.size - 1, autoClose: true }),
          ) as ReadableStream);
    return c.body(body, 200, {
      "Content-Type": found.type,
      "Content-Length": String(found.size),
      "Content-Disposition": `${found.type === "application/pdf" ? "attachment" : "inline"}; filename="${found.name.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
    });
  });

  /** The token from `Authorization: Bearer …` or the form's `token` field; the rest of the form. */
  const credentials = async (c: Context) => {
    const header = c.req.header("authorization");
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const type = c.req.header("content-type") ?? "";
    let form: Record<string, unknown> = {};
    if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
      try {
        form = await c.req.parseBody();
      } catch {
        throw new HTTPException(400, { message: "the form could not be read" });
      }
    }
    const field = (name: string) =>
      typeof form[name] === "string" ? (form[name] as string).trim() : undefined;
    return {
      token: bearer ?? field("token"),
      api: bearer !== undefined,
      period: c.req.query("period") ?? field("period"),
    };
  };
  const answer = (c: Context, api: boolean, title: string, result: ActionResult) =>
    api
      ? c.json(
          {
            ok: result.ok,
            outcome: result.outcome,
            message: result.lines.join(" "),
            ...(result.run === undefined ? {} : { run: result.run }),
          },
          result.status,
        )
      : c.html(resultPage(title, result.lines, result.ok), result.status);
  const guard = async (c: Context, title: string) => {
    const given = await credentials(c);
    if (!options.actions.enabled)
      return {
        denied: answer(c, given.api, title, {
          status: 403,
          ok: false,
          outcome: "refused",
          lines: [options.actions.reason],
        }),
        given,
      };
    if (!options.actions.allows(given.token))
      return {
        denied: answer(c, given.api, title, {
          status: 401,
          ok: false,
          outcome: "refused",
          lines: ["The admin token is missing or wrong."],
        }),
        given,
      };
    return { denied: null, given };
  };

  app.post("/reports/:name/run", async (c) => {
    const name = c.req.param("name");
    const { denied, given } = await guard(c, `Run ${name}`);
    if (denied !== null) return denied;
    const result = await runAction(options.job, options.email, name, given.period, options.timeZone, now());
    return answer(c, given.api, `Run ${name}`, result);
  });
  app.post("/runs/:id/resend", async (c) => {
    const id = c.req.param("id");
    const { denied, given } = await guard(c, `Resend ${id}`);
    if (denied !== null) return denied;
    const result = await resendAction(options.job, options.email, id, now());
    if (result.status === 400 && result.lines[0]?.startsWith("no run ")) result.status = 404;
    return answer(c, given.api, `Resend ${id}`, result);
  });
  return app;
}

/**
 * Only requests addressed to this server: its listen address, localhost, or a name in
 * `server.allowed_hosts`; on a wildcard address any IP literal. Against DNS rebinding, where a
 * web page makes the browser send its own host name to a local port.
 */
export function hostAllowed(
  header: string | undefined,
  listenHost: string | undefined,
  allowed: string[],
): boolean {
  if (header === undefined) return false;
  const host = header
    .trim()
    .toLowerCase()
    .replace(/:\d+$/, "")
    .replace(/^\[|\]$/g, "");
  const names = new Set(["localhost", "127.0.0.1", "::1", ...allowed.map((a) => a.toLowerCase())]);
  if (listenHost !== undefined) names.add(listenHost.toLowerCase());
  if (names.has(host)) return true;
  const wildcard = listenHost === "0.0.0.0" || listenHost === "::";
  return wildcard && (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":"));
}
