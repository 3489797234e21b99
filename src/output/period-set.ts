import { randomBytes } from "node:crypto";
import { copyFile, link, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { outputError, ReportsError, writingOutput } from "../errors.js";
import { createAtomicWriter, type OutputWriter } from "./atomic-write.js";

/**
 * A run's output as one set: every file is written into a staging folder beside
 * `<out>/<period>/` (`<out>/.<period>.tmp-<pid>-<random>/`), then the folder is swapped in with two
 * renames (the old set renamed aside to `.<period>.old-<pid>-<random>`, the staging folder renamed
 * into place, the old set removed). A reader sees the whole old set or the whole new set, never a
 * mix, and a run that fails half-way (a full disk, a kill) leaves the old set as it was.
 */
export interface PeriodSet {
  /** The final folder, `<out>/<period>`. */
  readonly dir: string;
  /** Writes `name` (relative, `/`-separated) into the staging folder; returns its final path. */
  writeFile(name: string, data: string | Uint8Array): Promise<string>;
  /**
   * Carries over every file of the existing set that this run did not write and `replaced` does
   * not claim (another audience's PDF and charts, the mails), then swaps the new set in.
   */
  commit(replaced: (name: string) => boolean): Promise<void>;
  /** Removes the staging folder (the run failed: the existing set stays). */
  discard(): Promise<void>;
}

/** Staging folders of this process still in use: the clean-up must leave them alone. */
const live = new Set<string>();

const PART = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-f]+$/;

export async function openPeriodSet(
  outDir: string,
  periodId: string,
  writer: OutputWriter = createAtomicWriter(),
): Promise<PeriodSet> {
  const dir = path.join(outDir, periodId);
  const staging = path.join(outDir, `.${periodId}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  await writingOutput(async () => {
    await mkdir(outDir, { recursive: true });
    const existing = await stat(dir).catch(() => null);
    if (existing !== null && !existing.isDirectory())
      throw new ReportsError("output", `cannot write ${dir}: it exists and is not a folder; move it away`);
    await cleanStaleSets(outDir);
    await mkdir(staging);
  });
  live.add(staging);
  const written = new Set<string>();
  const discard = async () => {
    live.delete(staging);
    await rm(staging, { recursive: true, force: true });
  };
  return {
    dir,
    async writeFile(name, data) {
      const final = path.join(dir, ...name.split("/"));
      await writingOutput(() => writer.writeFile(path.join(staging, ...name.split("/")), data), final);
      written.add(name);
      return final;
    },
    async commit(replaced) {
      try {
        for (const name of await listFiles(dir)) {
          if (written.has(name) || replaced(name)) continue;
          const target = path.join(staging, ...name.split("/"));
          await mkdir(path.dirname(target), { recursive: true });
          await link(path.join(dir, name), target).catch(() => copyFile(path.join(dir, name), target));
        }
        const aside = path.join(outDir, `.${periodId}.old-${process.pid}-${randomBytes(4).toString("hex")}`);
        const hadOld = await rename(dir, aside).then(
          () => true,
          (err: NodeJS.ErrnoException) => {
            if (err.code === "ENOENT") return false;
            throw err;
          },
        );
        try {
          await rename(staging, dir);
        } catch (err) {
          if (hadOld) await rename(aside, dir).catch(() => {});
          throw err;
        }
        live.delete(staging);
        if (hadOld) await rm(aside, { recursive: true, force: true });
      } catch (err) {
        await discard();
        throw outputError(err, dir);
      }
    },
    discard,
  };
}

/** Every file under `dir`, as `/`-separated relative names; none when it does not exist. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const names: string[] = [];
  for (const entry of entries) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) names.push(...(await listFiles(path.join(dir, entry.name), `${name}/`)));
    else if (entry.isFile()) names.push(name);
  }
  return names;
}

/**
 * Removes what killed runs left in the output directory: staging folders, and old sets renamed
 * aside (put back when the swap was cut between its two renames, so the period is not lost). A
 * folder of a live process is left alone (another run is writing it).
 */
export async function cleanStaleSets(outDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = PART.exec(name);
    if (match === null) continue;
    const [, periodId, kind, pid] = match as unknown as [string, string, string, string];
    const full = path.join(outDir, name);
    if (live.has(full) || (Number(pid) !== process.pid && processAlive(Number(pid)))) continue;
    if (Number(pid) === process.pid && kind === "old") continue; // this process is swapping it
    if (kind === "old") {
      const dir = path.join(outDir, periodId);
      const missing = await stat(dir).then(
        () => false,
        () => true,
      );
      if (
        missing &&
        (await rename(full, dir)
          .then(() => true)
          .catch(() => false))
      )
        continue;
    }
    await rm(full, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
