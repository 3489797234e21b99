import { tmpdir } from "node:os";
import type { SourcePart } from "../../ingest/parts.js";
import { type CoverageCounts, createCoverageCounter } from "../../metrics/coverage.js";
import type { MetricContext, MetricModule } from "../../metrics/module.js";
import { createMetricModules } from "../../metrics/modules.js";
import type { MetricResults, Reject, SourceName, SourceSummary } from "../../types.js";
import type { IngestProgress } from "../engine.js";
import { createPassMerge } from "./merge.js";
import { createLocalReader } from "./part-reader.js";
import { planPass, type SourcePlan } from "./plan.js";
import { createProgress } from "./progress.js";
import { createSpillDir, SpillIndex } from "./spill.js";
import { createThreadReader } from "./thread-pool.js";

export interface PassOptions {
  dataDir: string;
  /** Per source: a file, directory or glob relative to dataDir; the source's default otherwise. */
  patterns: Partial<Record<SourceName, string>>;
  timeZone: string;
  /** The metric modules' run (periods, configuration); null only reads and checks (validate). */
  metrics: MetricContext | null;
  /** Worker threads reading at once: "auto" (the cores this process may use) or a count; 1 reads in this thread. */
  workers: "auto" | number;
  /** A file of at least twice this many bytes is read in parts of about this size; null: never split. */
  splitBytes: number | null;
  /** Below this many bytes in all, one thread reads everything (threads cost more than they save). */
  threadsFromBytes?: number;
  onReject?: (source: SourceName, reject: Reject) => void;
  onProgress?: (progress: IngestProgress) => void;
  /** When states that grow with the data (sessions) go to disk in slices; defaults below. */
  spill?: Partial<SpillOptions>;
}

/**
 * A source of at least `fromBytes` (gzip files counted at {@link GZIP_RATIO} times their size)
 * whose modules can be sliced is finished in ceil(bytes / `sliceBytes`) slices, spilled to
 * temporary files under `dir`.
 */
export interface SpillOptions {
  fromBytes: number;
  sliceBytes: number;
  dir: string;
}

/**
 * The defaults: sessions files up to 256 MiB (about 1.6 million events, 300,000 sessions) are
 * held in memory, as fast as before; past that, a slice per 128 MiB, so the sessions held at
 * once stay at about what 128 MiB of events make, however large the source.
 */
export const DEFAULT_SPILL: Omit<SpillOptions, "dir"> = {
  fromBytes: 256 * 1024 * 1024,
  sliceBytes: 128 * 1024 * 1024,
};
// (config/schema.ts `data.spill_from_mb`, `data.spill_slice_mb` have the same defaults.)

/** What a gzip file is counted as when choosing slices: typical JSON Lines compress about 8:1. */
const GZIP_RATIO = 8;

export interface PassResult {
  summaries: SourceSummary[];
  /** Every metric of every source that has a file (empty when `metrics` was null). */
  results: MetricResults;
  /** How the work was shared: threads used and parts read (files, or parts of large files). */
  threads: number;
  parts: number;
  /** Per source, milliseconds its parts took to read (in whichever thread), for rows per second. */
  sourceMs: Partial<Record<SourceName, number>>;
  /**
   * Milliseconds to plan the parts, to read them all (threads started; sources are merged and
   * finished as their last part arrives), and what was left to finish after the last part.
   */
  stagesMs: { plan: number; read: number; merge: number };
  /** Split files read again whole because a split point fell inside a quoted field. */
  readAgainWhole: string[];
  /** Per source with files, its rows by hour of the two periods (empty when `metrics` was null). */
  coverage: Partial<Record<SourceName, CoverageCounts>>;
  /** Per source whose states were spilled to disk, the slices they were finished in. */
  slices: Partial<Record<SourceName, number>>;
}

/**
 * One pass over every source: the files are cut into parts (plan.ts), the parts are read by
 * worker threads (thread-pool.ts) or in this thread (part-reader.ts), each part feeding fresh
 * states of the metric modules that read its source, and the states are merged here in file and
 * part order as they come back (merge.ts), so the result does not depend on how many threads read
 * or which finished first. One thread is the same path with the parts read one after the other.
 */
export async function readAllSources(options: PassOptions): Promise<PassResult> {
  const started = performance.now();
  const plan = await planPass(options);
  const progress = createProgress(plan.sources, options.onProgress);
  const modules = options.metrics === null ? [] : createMetricModules(options.metrics);
  const counter = options.metrics === null ? null : createCoverageCounter(options.metrics);
  const spillOptions = { ...DEFAULT_SPILL, dir: tmpdir(), ...options.spill };
  const slices = slicesBySource(plan.sources, modules, spillOptions);
  const spillPlan = Object.keys(slices).length > 0 ? { dir: createSpillDir(spillOptions.dir), slices } : null;
  const spill = spillPlan === null ? null : { plan: spillPlan, index: new SpillIndex(spillPlan.dir) };
  // The spill files go with the pass, whatever happens (the threads that write them stop first).
  try {
    const reader =
      plan.threads > 1
        ? createThreadReader(
            plan.threads,
            { timeZone: options.timeZone, metrics: options.metrics, spill: spillPlan },
            modules,
            progress.add,
          )
        : createLocalReader(options.timeZone, modules, progress.add, spillPlan, counter);
    const merge = createPassMerge({
      sources: plan.sources,
      modules,
      reader,
      onSourceDone: progress.done,
      onReject: options.onReject,
      spill,
      counter,
    });
    try {
      const planned = performance.now();
      await Promise.all(readingOrder(plan.parts).map((part) => reader.read(part).then(merge.accept)));
      await merge.readsAgain();
      const read = performance.now();
      const { summaries, results, sourceMs, readAgainWhole, coverage } = merge.end();
      return {
        summaries,
        results,
        threads: plan.threads,
        parts: plan.parts.length,
        sourceMs,
        readAgainWhole,
        coverage,
        slices,
        stagesMs: { plan: planned - started, read: read - planned, merge: performance.now() - read },
      };
    } finally {
      await reader.close();
    }
  } finally {
    spill?.index.close();
  }
}

/**
 * The order the parts are handed to the threads: largest files first (so the last part to finish
 * is a small file's), each file's parts in their order. A file's parts are merged in part order,
 * so a part read ahead of an earlier one waits with its whole state: parts of equal size sorted
 * by size alone came out shuffled, and at 10M rows per source up to 49 parts waited at once
 * (the clicks and carts parts hold a counter of 156k users each): 1,080 MB peak for the seven
 * CSV sources, 586-674 MB in file order.
 */
function readingOrder(parts: readonly SourcePart[]): SourcePart[] {
  const fileKey = (p: SourcePart) => `${p.source}:${p.fileIndex}`;
  const fileBytes = new Map<string, number>();
  for (const p of parts) fileBytes.set(fileKey(p), Math.max(fileBytes.get(fileKey(p)) ?? 0, p.end));
  const bytes = (p: SourcePart) => fileBytes.get(fileKey(p)) ?? 0;
  return [...parts].sort((a, b) => {
    if (fileKey(a) === fileKey(b)) return a.part - b.part;
    return bytes(b) - bytes(a) || (fileKey(a) < fileKey(b) ? -1 : 1);
  });
}

/** Per source that needs it (see {@link SpillOptions}), the slices its sliceable states are cut into. */
function slicesBySource(
  sources: readonly SourcePlan[],
  modules: readonly MetricModule[],
  spill: SpillOptions,
): Partial<Record<SourceName, number>> {
  const slices: Partial<Record<SourceName, number>> = {};
  for (const plan of sources) {
    if (!modules.some((m) => m.source === plan.source && m.slicing !== undefined)) continue;
    let bytes = 0;
    for (const part of plan.parts) {
      const file = plan.files[part.fileIndex]?.file ?? "";
      bytes += (part.end - part.start) * (file.endsWith(".gz") ? GZIP_RATIO : 1);
    }
    if (bytes >= spill.fromBytes) slices[plan.source] = Math.max(2, Math.ceil(bytes / spill.sliceBytes));
  }
  return slices;
}
