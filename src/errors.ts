/**
 * Two kinds of failure. A `ReportsError` is something a user or operator can fix (bad config,
 * bad data, a mail server that said no): commands throw it, and the CLI prints its message
 * without a stack and exits with its code; a command that returns has succeeded (exit 0).
 * Anything else is a bug, printed with its stack (exit 70); internal errors name where they came
 * from in their message (`[ingest:worker] …`) and keep their cause.
 */

/** Exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  /** The data failed: a source over its reject limit, a missing required column. */
  data: 1,
  /** The command line or the configuration is wrong. */
  usage: 2,
  /** Reports were written but could not be delivered. */
  delivery: 3,
  /**
   * Another run of the same report held its lock for longer than this run would wait; or another
   * daemon runs on the same output directory.
   */
  locked: 4,
  /** The daemon stopped (grace period over, or a third signal) with a report still running. */
  interrupted: 5,
} as const;

export type ErrorKind = Exclude<keyof typeof EXIT, "ok">;

export class ReportsError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReportsError";
    this.kind = kind;
  }

  get exitCode(): number {
    return EXIT[this.kind];
  }
}
