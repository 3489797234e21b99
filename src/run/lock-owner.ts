import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";

/**
 * Who holds a report lock: `owner.json` inside the lock directory (pid, host, a token for this
 * holding). It lets a run recognise a lock left by a process that died (kill -9, a crash) and
 * take it over at once, instead of waiting the 60 s until the lock goes stale: a daemon
 * restarted at once would otherwise skip every catch-up run.
 */
export const OWNER_FILE = "owner.json";

export interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/** Lock directories this process holds (by path): a lock naming our pid that is not here is a dead namesake's. */
const heldHere = new Set<string>();

/**
 * The file system proper-lockfile works through. `mkdir` also writes the owner file, before
 * proper-lockfile reads the directory's mtime (a file written afterwards would change it, and
 * the lock would look compromised at its first refresh); `rmdir` removes the owner file first
 * (also when a stale lock is taken over, and in proper-lockfile's exit handler), since a
 * directory must be empty to be removed.
 */
export const ownerFs = {
  stat: fs.stat,
  utimes: fs.utimes,
  realpath: fs.realpath,
  mkdir(dir: string, callback: (err: NodeJS.ErrnoException | null) => void): void {
    fs.mkdir(dir, (err) => {
      if (err) return callback(err);
      const owner: LockOwner = {
        pid: process.pid,
        host: hostname(),
        token: randomBytes(8).toString("hex"),
      };
      fs.writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner), (writeErr) => {
        if (writeErr) return fs.rmdir(dir, () => callback(writeErr));
        heldHere.add(dir);
        callback(null);
      });
    });
  },
  rmdir(dir: string, callback: (err: NodeJS.ErrnoException | null) => void): void {
    heldHere.delete(dir);
    fs.rm(path.join(dir, OWNER_FILE), { force: true }, () => fs.rmdir(dir, callback));
  },
  rmdirSync(dir: string): void {
    heldHere.delete(dir);
    fs.rmSync(path.join(dir, OWNER_FILE), { force: true });
    fs.rmdirSync(dir);
  },
};

export async function readOwner(lockDir: string): Promise<LockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(path.join(lockDir, OWNER_FILE), "utf8")) as LockOwner;
    return typeof owner.pid === "number" && typeof owner.token === "string" ? owner : null;
  } catch {
    // No owner file (a lock made a moment ago, or by an older version): not known to be dead.
    return null;
  }
}

/**
 * True only when the holder is known to be gone: a process on this host that no longer exists,
 * or our own pid reused by a restarted process (as in a container, where the daemon is pid 1)
 * while this process does not hold the lock. A holder on another host cannot be checked; its
 * lock is taken over when stale.
 */
export function ownerIsDead(owner: LockOwner, lockDir: string): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !heldHere.has(lockDir);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process exists, it is someone else's.
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes a dead holder's lock. It is renamed aside first (atomic), then checked to be the very
 * holding found dead: if another run took it over in between, that run's lock is put back.
 */
export async function breakDeadLock(lockDir: string, dead: LockOwner): Promise<boolean> {
  const aside = `${lockDir}.dead-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockDir, aside);
  } catch {
    return false; // gone already, or someone else moved it: try to lock again
  }
  const moved = await readOwner(aside);
  if (moved?.token !== dead.token) {
    await rename(aside, lockDir).catch(() => {});
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}
