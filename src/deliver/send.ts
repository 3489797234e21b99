import type { Transporter } from "nodemailer";
import type Mail from "nodemailer/lib/mailer/index.js";
import type { Delivery } from "../output/history.js";

export interface Recipient {
  address: string;
  kind: "to" | "cc" | "bcc";
}

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  /** Injected for tests; the real one waits. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Whether nodemailer finished writing a message's data (its final dot): it logs that line at
 * `info`, with `tnx: "message"` and the byte count, when the data stream ends. Its errors do not
 * say (a connection cut while waiting for the reply to the dot is `ECONNECTION`/`ETIMEDOUT` with
 * command `CONN`, as one cut before `MAIL FROM`), so the transport gets this as its logger.
 */
export interface DataWatch {
  /** The bunyan-style logger to give nodemailer (`logger:` of the transport options). */
  readonly logger: Record<
    "trace" | "debug" | "info" | "warn" | "error" | "fatal",
    (...args: unknown[]) => void
  >;
  /** True once the current attempt's data was fully written. */
  readonly sent: boolean;
  reset(): void;
}

export function dataWatch(): DataWatch {
  let sent = false;
  const ignore = () => {};
  return {
    logger: {
      trace: ignore,
      debug: ignore,
      info: (entry: unknown) => {
        const e = entry as { tnx?: unknown; outByteCount?: unknown } | undefined;
        if (e?.tnx === "message" && typeof e.outByteCount === "number") sent = true;
      },
      warn: ignore,
      error: ignore,
      fatal: ignore,
    },
    get sent() {
      return sent;
    },
    reset() {
      sent = false;
    },
  };
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
}

/**
 * Sends one message to its recipients. Nodemailer never retries, so this does: a transient
 * failure (no connection, a timeout, an SMTP 4xx) is tried again after a doubling delay, up to
 * `attempts` times, for the recipients still pending only; a permanent rejection (SMTP 5xx) is
 * never retried. Headers keep every To and Cc; each attempt's envelope lists only those pending.
 *
 * At most once where SMTP allows: when the message data was fully sent and the connection failed
 * without a reply to it (cut, reset, timed out), the server may well have the message. That is
 * not retried: its recipients are recorded `unknown`, with the error, for an operator to decide
 * (`reports resend --force`). `watch` must be the logger of `transport` (see `dataWatch`).
 */
export async function sendWithRetry(
  transport: Transporter,
  message: Mail.Options,
  recipients: Recipient[],
  policy: RetryPolicy,
  redact: (text: string) => string,
  watch?: DataWatch,
): Promise<Delivery[]> {
  const sleep = policy.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const results = new Map<string, Delivery>(
    recipients.map((r) => [
      r.address.toLowerCase(),
      { recipient: r.address, kind: r.kind, status: "failed", attempts: 0 },
    ]),
  );
  let pending = recipients.map((r) => r.address);
  for (let attempt = 1; attempt <= policy.attempts && pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(policy.firstDelayMs * 2 ** (attempt - 2));
    for (const address of pending) (results.get(address.toLowerCase()) as Delivery).attempts = attempt;
    watch?.reset();
    try {
      const info = await transport.sendMail({
        ...message,
        envelope: { from: message.from as string, to: pending },
      });
      for (const address of info.accepted as string[])
        settle(results, address, { status: "sent", message_id: info.messageId });
      pending = retryable(
        results,
        (info.rejected as string[]) ?? [],
        (info as { rejectedErrors?: SmtpError[] }).rejectedErrors,
        redact,
      );
    } catch (err) {
      const error = err as SmtpError;
      if (watch?.sent === true && error.responseCode === undefined) {
        // The data went out and no reply came back: delivered or not, nobody knows.
        for (const address of pending)
          settle(results, address, {
            status: "unknown",
            error: describe(error, redact, "no reply after the message was sent, not retried"),
          });
        pending = [];
      } else if (error.rejected && error.rejected.length > 0) {
        pending = retryable(results, error.rejected, error.rejectedErrors, redact);
      } else if ((error.responseCode ?? 0) >= 500) {
        for (const address of pending)
          settle(results, address, { status: "failed", error: describe(error, redact) });
        pending = [];
      } else {
        for (const address of pending)
          settle(results, address, { status: "failed", error: describe(error, redact) });
      }
    }
  }
  return [...results.values()];
}

// ---------------------------------------------------------------------------------------------

function settle(results: Map<string, Delivery>, address: string, update: Partial<Delivery>): void {
  const entry = results.get(address.toLowerCase());
  if (entry === undefined) return;
  Object.assign(entry, update);
  if (update.status === "sent") delete entry.error;
}

/** Records the rejected recipients; returns those whose rejection was temporary (4xx). */
function retryable(
  results: Map<string, Delivery>,
  rejected: string[],
  errors: SmtpError[] | undefined,
  redact: (t: string) => string,
): string[] {
  const again: string[] = [];
  rejected.forEach((address, i) => {
    const error = errors?.find((e) => e.message.includes(address)) ?? errors?.[i];
    settle(results, address, {
      status: "failed",
      error: error ? describe(error, redact) : "rejected by the server",
    });
    if (error !== undefined && (error.responseCode ?? 0) >= 400 && (error.responseCode ?? 0) < 500)
      again.push(address);
  });
  return again;
}

function describe(error: SmtpError, redact: (t: string) => string, note?: string): string {
  const code = error.responseCode ?? error.code;
  return redact(
    `${code === undefined ? "" : `${code}: `}${error.message}${note ? ` (${note})` : ""}`.slice(0, 500),
  );
}
