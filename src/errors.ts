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
  /**
   * The output directory cannot be written: not writable, a file where a folder should be (or the
   * other way round), the disk full. The files of the last good run are kept.
   */
  output: 6,
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

/** Node error codes of a file system the operator can fix, and what each means for a path. */
const FILE_SYSTEM_ERRORS: Record<string, (file: string) => string> = {
  EACCES: (file) =>
    `cannot write ${file}: permission denied (check the owner and mode, or choose another --out / output.dir)`,
  EPERM: (file) =>
    `cannot write ${file}: operation not permitted (check the owner and mode, or choose another --out / output.dir)`,
  EROFS: (file) => `cannot write ${file}: the file system is read-only (choose another --out / output.dir)`,
  ENOTDIR: (file) =>
    `cannot write ${file}: part of that path is a file, not a folder (--out / output.dir must be a folder)`,
  EEXIST: (file) => `cannot write ${file}: it exists and is not a folder; move it away`,
  EISDIR: (file) => `cannot write ${file}: it is a folder, a file was expected; move it away`,
  ENOSPC: (file) => `cannot write ${file}: no space left on the device; free some and run again`,
  EDQUOT: (file) => `cannot write ${file}: disk quota exceeded; free some and run again`,
};

/**
 * An error from writing under the output directory, as the operator should see it: a known file
 * system error (by its `code`) becomes a ReportsError of kind `output` (exit 6) naming `file` (by
 * default the path Node names); anything else is returned as it is.
 */
export function outputError(err: unknown, file?: string): unknown {
  if (err instanceof ReportsError || !(err instanceof Error)) return err;
  const { code, path } = err as NodeJS.ErrnoException;
  const describe = code === undefined ? undefined : FILE_SYSTEM_ERRORS[code];
  const named = file ?? path;
  if (describe === undefined || named === undefined) return err;
  return new ReportsError("output", describe(named), { cause: err });
}

/** Runs `work`, turning known file system errors into ReportsError `output` (see `outputError`). */
export async function writingOutput<T>(work: () => Promise<T>, file?: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw outputError(err, file);
  }
}
