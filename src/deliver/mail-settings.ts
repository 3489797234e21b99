import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { ReportsError } from "../errors.js";

/**
 * SMTP settings, read from the environment only (never from the configuration file):
 *
 * - `SMTP_URL` (`smtp://user:password@host:587`, `smtps://…:465`), or `SMTP_HOST`, `SMTP_PORT`
 *   (587), `SMTP_USER`, `SMTP_PASSWORD`, `SMTP_SECURE` (`true`: TLS from the first byte, port 465);
 * - `MAIL_FROM`, the sender;
 * - `SMTP_REQUIRE_TLS` (default `true`: refuse to send unless STARTTLS succeeds); `false` is the
 *   explicit opt-out for a local relay that speaks plain SMTP;
 * - `SMTP_TLS_REJECT_UNAUTHORIZED` (default `true`); `false` accepts a self-signed certificate.
 */
export interface MailSettings {
  transport: SMTPTransport.Options;
  from: string;
  /** Removes the password (and the URL's credentials) from any text before it is logged or stored. */
  redact(text: string): string;
}

export function mailSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MailSettings {
  const problems: string[] = [];
  const from = env.MAIL_FROM?.trim();
  if (!from) problems.push("MAIL_FROM is not set (the sender address)");
  let host = env.SMTP_HOST?.trim();
  let port = env.SMTP_PORT ? Number(env.SMTP_PORT) : undefined;
  let user = env.SMTP_USER;
  let password = env.SMTP_PASSWORD;
  let secure = env.SMTP_SECURE === "true";
  if (env.SMTP_URL) {
    try {
      const url = new URL(env.SMTP_URL);
      if (url.protocol !== "smtp:" && url.protocol !== "smtps:") throw new Error("protocol");
      host = url.hostname;
      port = url.port ? Number(url.port) : undefined;
      secure = url.protocol === "smtps:";
      user = url.username ? decodeURIComponent(url.username) : user;
      password = url.password ? decodeURIComponent(url.password) : password;
    } catch {
      problems.push("SMTP_URL is not a smtp:// or smtps:// URL");
    }
  }
  if (!host) problems.push("SMTP_URL or SMTP_HOST is not set");
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    problems.push(`SMTP_PORT ${env.SMTP_PORT} is not a port number`);
  for (const name of ["SMTP_REQUIRE_TLS", "SMTP_TLS_REJECT_UNAUTHORIZED", "SMTP_SECURE"]) {
    const value = env[name];
    if (value !== undefined && value !== "true" && value !== "false")
      problems.push(`${name} must be true or false`);
  }
  if (problems.length > 0) throw new ReportsError("usage", `email settings: ${problems.join("; ")}`);
  const secrets = [password, env.SMTP_URL].filter((s): s is string => !!s && s.length > 0);
  return {
    from: from as string,
    transport: {
      host,
      port: port ?? (secure ? 465 : 587),
      secure,
      requireTLS: !secure && env.SMTP_REQUIRE_TLS !== "false",
      ignoreTLS: !secure && env.SMTP_REQUIRE_TLS === "false",
      auth: user ? { user, pass: password ?? "" } : undefined,
      tls: { rejectUnauthorized: env.SMTP_TLS_REJECT_UNAUTHORIZED !== "false" },
      connectionTimeout: 20_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    },
    redact: (text) => secrets.reduce((out, secret) => out.split(secret).join("***"), text),
  };
}
