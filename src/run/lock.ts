import { mkdir } from "node:fs/promises";
import path from "node:path";
import lockfile from "proper-lockfile";
import { breakDeadLock, ownerFs, ownerIsDead, readOwner } from "./lock-owner.js";

/**
 * One run at a time per report, across processes: a lock directory per report under
 * `<out>/.locks/`, made by proper-lockfile, refreshed while the run lasts and taken over when
 * stale (a crashed process stops refreshing it), or at once when the process it names is gone
 * (`lock-owner.ts`). Every run that can mail takes it (see
 * `run/report-job.ts`), so two overlapping runs never both read "not yet sent" from the history.
 */
export const STALE_LOCK_MS = 60_000;

/** How often a run waiting for a lock looks again. */
const POLL_MS = 250;

export interface LockWait {
  /** How long to wait for a lock another run holds before giving up (0: do not wait). */
  waitMs: number;
  /** Stop waiting early (the daemon is shutting down). */
  shouldStop?: () => boolean;
  /** When an unrefreshed lock counts as abandoned; tests shorten it (proper-lockfile's floor is 2 s). */
  staleMs?: number;
}

export interface HeldLock {
  /**
   * True once the lock was lost while held: this process could not refresh it in time (it was
   * stopped, or its event loop blocked, for longer than the stale time) and another run may have
   * taken it over. That run now owns the report's delivery; this one must not mail.
   */
  readonly compromised: boolean;
  /** Called once when the lock is compromised. */
  onCompromised(listener: (err: Error) => void): void;
  release(): Promise<void>;
  /** The pid of a dead process whose lock this run took over, if it did. */
  readonly tookOverFrom?: number;
}

function lockPath(outDir: string, report: string): string {
  return path.join(outDir, ".locks", report);
}

/**
 * Takes the report's lock, waiting up to `waitMs` while another run holds it; null when it is
 * still held after that (or when `shouldStop` says to give up).
 */
export async function acquireReportLock(
  outDir: string,
  report: string,
  wait: LockWait,
): Promise<HeldLock | null> {
  return acquireLock(lockPath(outDir, report), wait);
}

/**
 * One daemon per output directory: `<out>/.locks/.daemon.lock` (a report name cannot start with a
 * dot), held while `reports schedule` runs, taken over at once from a dead process. Null when a
 * live daemon holds it; its owner (pid, host) is then `daemonLockOwner`.
 */
export function acquireDaemonLock(outDir: string): Promise<HeldLock | null> {
  return acquireLock(daemonLockPath(outDir), { waitMs: 0 });
}

export function daemonLockDir(outDir: string): string {
  return `${daemonLockPath(outDir)}.lock`;
}

function daemonLockPath(outDir: string): string {
  return path.join(outDir, ".locks", ".daemon");
}

async function acquireLock(file: string, wait: LockWait): Promise<HeldLock | null> {
  await mkdir(path.dirname(file), { recursive: true });
  const deadline = Date.now() + wait.waitMs;
  const staleMs = wait.staleMs ?? STALE_LOCK_MS;
  const dir = `${file}.lock`;
  let tookOverFrom: number | undefined;
  for (;;) {
    let compromised: Error | null = null;
    const listeners: ((err: Error) => void)[] = [];
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        stale: staleMs,
        update: staleMs / 4,
        retries: 0,
        fs: ownerFs,
        // proper-lockfile's default throws ECOMPROMISED from a timer, where nothing can catch
        // it: the daemon would die. The run is marked instead, and its owner decides.
        onCompromised: (err: Error) => {
          compromised = err;
          for (const listener of listeners) listener(err);
        },
      });
      return {
        get compromised() {
          return compromised !== null;
        },
        onCompromised(listener) {
          if (compromised !== null) listener(compromised);
          else listeners.push(listener);
        },
        // After a compromise the lock is no longer ours: proper-lockfile refuses (ERELEASED)
        // and must not remove the new holder's lock, which it does not.
        release: () => release().catch(() => {}),
        ...(tookOverFrom === undefined ? {} : { tookOverFrom }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
    }
    const owner = await readOwner(dir);
    if (owner !== null && ownerIsDead(owner, dir) && (await breakDeadLock(dir, owner))) {
      tookOverFrom = owner.pid;
      continue;
    }
    if (Date.now() >= deadline || wait.shouldStop?.() === true) return null;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline - Date.now())));
  }
}

/** Runs `work` under the report's lock; null when another run holds it (after `waitMs`, default 0). */
export async function withReportLock<T>(
  outDir: string,
  report: string,
  work: () => Promise<T>,
  wait: LockWait = { waitMs: 0 },
): Promise<{ result: T } | null> {
  const lock = await acquireReportLock(outDir, report, wait);
  if (lock === null) return null;
  try {
    return { result: await work() };
  } finally {
    await lock.release();
  }
}

/** Whether a live run holds the report's lock (`reports history` tells running from interrupted by it). */
export async function isReportLocked(outDir: string, report: string): Promise<boolean> {
  const held = await lockfile.check(lockPath(outDir, report), {
    realpath: false,
    stale: STALE_LOCK_MS,
    fs: ownerFs,
  });
  if (!held) return false;
  const dir = `${lockPath(outDir, report)}.lock`;
  const owner = await readOwner(dir);
  return owner === null || !ownerIsDead(owner, dir);
}
