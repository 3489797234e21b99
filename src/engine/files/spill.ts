import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { deserialize, serialize } from "node:v8";
import { threadId } from "node:worker_threads";
import { outputError } from "../../errors.js";
import type { MetricModule, Slicing } from "../../metrics/module.js";
import type { SourceName } from "../../types.js";

/**
 * Temporary files for module states too large to hold whole: a sessions source of gigabytes keeps
 * a row per session, so its states are cut into slices by session (`MetricModule.slicing`). The
 * thread that read a part writes the part's slices to disk itself and hands on only where they
 * are; at the end the main thread reads each slice back, merges its parts in file and part order
 * and tallies it on its own. Memory then holds one slice, not every session, and the sessions'
 * rows never cross between threads.
 *
 * Each thread appends to files of its own (`<thread>-<source>-<module>-<slice>.bin`), opened and
 * closed for each part's write, so a thread that is stopped leaves no descriptor open. A value is
 * a V8 serialization (what structured clone uses between threads).
 */

/** Where the pass spills, and how many slices each spilled source is cut into. */
export interface SpillPlan {
  dir: string;
  slices: Partial<Record<SourceName, number>>;
}

/** Where one slice of one part's state was written. */
export interface SpillLocation {
  file: string;
  position: number;
  length: number;
}

/** A state that went to disk: what a reading thread hands on in its place. */
export interface SpilledState {
  spilledSlices: SpillLocation[];
}

export function isSpilled(state: unknown): state is SpilledState {
  return typeof state === "object" && state !== null && "spilledSlices" in state;
}

/** A new folder for the pass's spill files under `parent` (the system's temporary folder by default). */
export function createSpillDir(parent: string): string {
  try {
    return mkdtempSync(path.join(parent, "reports-spill-"));
  } catch (err) {
    throw outputError(err, parent);
  }
}

/**
 * The states of one part's modules (in module order), each sliceable one written to disk in
 * `plan.slices[source]` slices and replaced by where they are (a source not in the plan: as they are).
 */
export function spillStates(
  plan: SpillPlan | null,
  source: SourceName,
  modules: readonly MetricModule[],
  states: unknown[],
): unknown[] {
  const count = plan?.slices[source] ?? 1;
  if (plan === null || count === 1) return states;
  return states.map((state, i) => {
    const slicing = modules[i]?.slicing as Slicing<unknown> | undefined;
    if (slicing === undefined) return state;
    const spilled: SpilledState = {
      spilledSlices: slicing
        .slice(state, count)
        .map((slice, n) => append(path.join(plan.dir, `${threadId}-${source}-${i}-${n}.bin`), slice)),
    };
    return spilled;
  });
}

function append(file: string, value: unknown): SpillLocation {
  try {
    const bytes = serialize(value);
    const fd = openSync(file, "a", 0o600);
    try {
      const position = fstatSync(fd).size;
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      return { file, position, length: bytes.length };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw outputError(err, file);
  }
}

/**
 * The main thread's list of what was spilled, by (key, slice), each with its place in the pass
 * (file, part), read back in that order whichever thread wrote it and whenever.
 */
export class SpillIndex {
  readonly dir: string;
  private readonly entries = new Map<string, Entry[]>();

  constructor(dir: string) {
    this.dir = dir;
  }

  add(key: string, order: readonly [number, number], spilled: SpilledState): void {
    for (const [slice, location] of spilled.spilledSlices.entries()) {
      const name = `${key}/${slice}`;
      const list = this.entries.get(name) ?? [];
      list.push({ file: order[0], part: order[1], location });
      this.entries.set(name, list);
    }
  }

  /** Forgets what was spilled for file `fileIndex` of `key` (the file is being read again whole). */
  dropFile(key: string, fileIndex: number): void {
    for (const [name, list] of this.entries) {
      if (name.startsWith(`${key}/`))
        this.entries.set(
          name,
          list.filter((e) => e.file !== fileIndex),
        );
    }
  }

  /** The values of slice `slice` of `key`, one at a time, in file and part order. */
  *read(key: string, slice: number): Generator<unknown> {
    const list = [...(this.entries.get(`${key}/${slice}`) ?? [])];
    list.sort((a, b) => a.file - b.file || a.part - b.part);
    for (const { location } of list) {
      const bytes = Buffer.allocUnsafe(location.length);
      const fd = openSync(location.file, "r");
      try {
        for (let done = 0; done < location.length; ) {
          const n = readSync(fd, bytes, done, location.length - done, location.position + done);
          if (n === 0) throw new Error(`[ingest:spill] ${location.file} ends early`);
          done += n;
        }
      } finally {
        closeSync(fd);
      }
      yield deserialize(bytes);
    }
  }

  /** Removes every spill file (the threads that wrote them have stopped). */
  close(): void {
    this.entries.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Entry {
  file: number;
  part: number;
  location: SpillLocation;
}
