import { mkdir } from "node:fs/promises";
import path from "node:path";
import lockfile from "proper-lockfile";

/**
 * One run at a time per report, across processes: a lock directory per report under
 * `<out>/.locks/`, made by proper-lockfile, refreshed while the run lasts and taken over when
 * stale (a crashed process stops refreshing it). `withReportLock` returns null when another run
 * holds the lock.
 */
export const STALE_LOCK_MS = 60_000;

export async function withReportLock<T>(
  outDir: string,
  report: string,
  work: () => Promise<T>,
): Promise<{ result: T } | null> {
  const dir = path.join(outDir, ".locks");
  await mkdir(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path.join(dir, report), {
      realpath: false,
      stale: STALE_LOCK_MS,
      update: STALE_LOCK_MS / 4,
      retries: 0,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOCKED") return null;
    throw err;
  }
  try {
    return { result: await work() };
  } finally {
    await release().catch(() => {});
  }
}

export async function isReportLocked(outDir: string, report: string): Promise<boolean> {
  return lockfile.check(path.join(outDir, ".locks", report), { realpath: false, stale: STALE_LOCK_MS });
}
