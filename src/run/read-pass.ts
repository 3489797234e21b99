import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Config } from "../config/schema.js";
import { ReportsError } from "../errors.js";
import type { IngestProgress } from "../ingest/ingest-source.js";
import {
  type PartResult,
  planParts,
  readPart,
  type SourcePart,
  sourceFiles,
  summarizeParts,
} from "../ingest/parts.js";
import { SOURCES } from "../ingest/sources/index.js";
import { createMetricModules } from "../metrics/engine.js";
import type { MetricContext, MetricModule } from "../metrics/module.js";
import { unpackStates } from "../metrics/transfer.js";
import { createTimestampParser, type TimestampParser } from "../time/timestamp.js";
import {
  type MetricOutput,
  type MetricResults,
  type RecordOf,
  type Reject,
  SOURCE_NAMES,
  type SourceName,
  type SourceSummary,
} from "../types.js";

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
}

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
}

/**
 * A reading thread's young generation. Parsing allocates a string per field and an object per
 * row that die young; a young generation larger than V8's default (16 MB) lets more of them die
 * there: measured on 1M rows per source, 9.2-9.6 s instead of 10.4-11.2 s back to back (this
 * machine's runs vary by about 10 %), for about 30 MB more per thread. (Capping the old
 * generation instead saved 40-60 MB and cost 1.5 s.)
 */
const YOUNG_GENERATION_MB = 48;

/** Below this much data, starting threads costs more than it saves: one thread reads it all. */
const THREADS_FROM_BYTES = 8 * 1024 * 1024;

/** The reading options a configuration's `data` section gives. */
export function readingOptions(
  data: Config["data"],
): Pick<PassOptions, "patterns" | "workers" | "splitBytes"> {
  return { patterns: data.sources, workers: data.workers, splitBytes: data.split_mb * 1024 * 1024 };
}

/**
 * One pass over every source: the files are cut into parts (large files split on line starts),
 * the parts are read by worker threads (or in this thread), each part feeding fresh states of
 * the metric modules that read its source; the states come back and are merged here in file and
 * part order, so the result does not depend on how many threads read or which finished first.
 * A split file whose part ended inside a quoted field (a quoted value holding a line feed sat
 * across a split point) is read again whole, so splitting never changes a record.
 */
export async function readAllSources(options: PassOptions): Promise<PassResult> {
  const dir = await stat(options.dataDir).catch(() => null);
  if (!dir?.isDirectory()) throw new ReportsError("usage", `data directory not found: ${options.dataDir}`);

  const started = performance.now();
  const plans = await Promise.all(
    SOURCE_NAMES.map(async (source) => {
      const spec = SOURCES[source];
      const files = await sourceFiles(options.dataDir, options.patterns[source] ?? spec.defaultPattern);
      return { source, files, parts: await planParts(spec, files, options.splitBytes) };
    }),
  );
  const allParts = plans.flatMap((p) => p.parts);
  const totalBytes = allParts.reduce((sum, p) => sum + (p.end - p.start), 0);
  const threads =
    totalBytes < (options.threadsFromBytes ?? THREADS_FROM_BYTES)
      ? 1
      : Math.max(
          1,
          Math.min(options.workers === "auto" ? availableParallelism() : options.workers, allParts.length),
        );
  const progress = createProgress(plans, options.onProgress);
  const modules = options.metrics === null ? [] : createMetricModules(options.metrics);
  const reader =
    threads > 1
      ? createThreadReader(threads, options, modules, progress.add)
      : createLocalReader(options, modules, progress.add);
  const modulesOf = (source: SourceName) => modules.filter((m) => m.source === source);
  const files = new Map<string, FileMerge>();
  for (const plan of plans) {
    for (const [fileIndex, file] of plan.files.entries()) {
      const parts = plan.parts.filter((p) => p.fileIndex === fileIndex);
      files.set(`${plan.source}:${fileIndex}`, {
        file: { ...file, source: plan.source, fileIndex },
        parts: parts.length,
        next: 0,
        waiting: new Map(),
        states: null,
        results: [],
        readAgain: false,
      });
    }
  }
  const readAgainWhole: string[] = [];
  const again: Promise<void>[] = [];
  /**
   * Takes a part's outcome as soon as it arrives: the parts of a file are merged in order (an
   * early one waits for those before it), so the main thread holds one state per file rather
   * than every part's. A part before the last that ended inside a quoted field means the split
   * cut a record: the file's parts are dropped and the file is read again whole.
   */
  const accept = (outcome: PartOutcome): void => {
    const { result } = outcome;
    const f = files.get(`${result.source}:${result.fileIndex}`) as FileMerge;
    // Parts of a file being read again whole arrive late and are dropped (the whole read's
    // outcome is taken directly, below).
    if (f.readAgain) return;
    if (result.unclosedQuote && result.part < f.parts - 1) {
      Object.assign(f, { readAgain: true, waiting: new Map(), states: null, results: [] });
      readAgainWhole.push(f.file.displayName);
      const reread = planParts(SOURCES[result.source], [f.file], null).then(async ([whole]) => {
        const part = { ...(whole as SourcePart), fileIndex: f.file.fileIndex };
        const outcome = await reader.read(part);
        Object.assign(f, { parts: 1, next: 1, states: outcome.states, results: [outcome.result] });
        fileDone(result.source);
      });
      // Awaited after the first round; marked handled now, so a failure while the first round is
      // still running (which then fails the pass anyway) is not an unhandled rejection.
      reread.catch(() => {});
      again.push(reread);
      return;
    }
    f.waiting.set(result.part, outcome);
    const own = modulesOf(result.source);
    for (let next = f.waiting.get(f.next); next !== undefined; next = f.waiting.get(f.next)) {
      f.waiting.delete(f.next);
      f.next += 1;
      f.results.push(next.result);
      const merged = f.states;
      f.states = merged === null ? next.states : own.map((m, i) => m.merge(merged[i], next.states[i]));
    }
    if (f.next === f.parts) fileDone(result.source);
  };

  const sourceMs: Partial<Record<SourceName, number>> = {};
  const summaries = new Map<SourceName, SourceSummary>();
  const results: MetricResults = new Map();
  const filesLeft = new Map(plans.map((p) => [p.source, p.files.length]));
  // Rejects are handed on in source order at the end, whichever source finished first.
  const rejectsOf = new Map<SourceName, Reject[]>(plans.map((p) => [p.source, []]));
  /**
   * A source whose files are all read is finished at once (its summary, its modules' results),
   * while the threads read other sources: only the last source's results are left for the end.
   */
  const finish = (source: SourceName): void => {
    const plan = plans.find((p) => p.source === source) as (typeof plans)[number];
    const own = plan.files.map((_, i) => files.get(`${source}:${i}`) as FileMerge);
    const partResults = own.flatMap((f) => f.results);
    sourceMs[source] = partResults.reduce((sum, r) => sum + r.elapsedMs, 0);
    progress.done(source);
    summaries.set(
      source,
      summarizeParts(
        source,
        plan.files.map((f) => f.displayName),
        partResults,
        { onReject: options.onReject && ((reject) => rejectsOf.get(source)?.push(reject)) },
      ),
    );
    if (options.metrics === null || plan.files.length === 0) return;
    for (const [i, module] of modulesOf(source).entries()) {
      let state = module.init();
      for (const f of own) if (f.states !== null) state = module.merge(state, f.states[i]);
      const outputs = module.result(state);
      for (const id of module.ids) results.set(id, outputs[id] as MetricOutput);
    }
    for (const f of own) f.states = null;
  };
  const fileDone = (source: SourceName): void => {
    const left = (filesLeft.get(source) ?? 1) - 1;
    filesLeft.set(source, left);
    if (left === 0) finish(source);
  };

  try {
    // Largest parts first, so the last part to finish is a small one.
    const planned = performance.now();
    await Promise.all(
      [...allParts]
        .sort((a, b) => b.end - b.start - (a.end - a.start))
        .map((part) => reader.read(part).then(accept)),
    );
    // `again` grows while parts are read: a re-read is known only when a part comes back.
    for (let n = 0; n < again.length; n = again.length) await Promise.all(again.slice(n));
    const read = performance.now();
    for (const plan of plans) if (plan.files.length === 0) finish(plan.source);
    for (const [source, rejects] of rejectsOf)
      for (const reject of rejects) options.onReject?.(source, reject);
    const stagesMs = { plan: planned - started, read: read - planned, merge: performance.now() - read };
    return {
      summaries: plans.map((p) => summaries.get(p.source) as SourceSummary),
      results,
      threads,
      parts: allParts.length,
      sourceMs,
      readAgainWhole,
      stagesMs,
    };
  } finally {
    await reader.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** One file's parts as they come back: merged in part order as soon as they can be. */
interface FileMerge {
  file: { file: string; displayName: string; source: SourceName; fileIndex: number };
  parts: number;
  /** The next part to merge; later parts wait in `waiting`. */
  next: number;
  waiting: Map<number, PartOutcome>;
  states: unknown[] | null;
  results: PartResult[];
  readAgain: boolean;
}

/** A part's result and the states of its source's metric modules after reading it. */
interface PartOutcome {
  result: PartResult;
  states: unknown[];
}

export interface PartReader {
  read(part: SourcePart): Promise<PartOutcome>;
  close(): Promise<void>;
}

/** What a worker thread needs to know, sent once when it starts. */
export interface WorkerSetup {
  timeZone: string;
  metrics: MetricContext | null;
}

/** Messages from a worker thread. */
export type WorkerMessage =
  | { type: "progress"; source: SourceName; bytes: number; rows: number }
  | { type: "done"; id: number; result: PartResult; states: unknown[] }
  | { type: "failed"; id: number; message: string; stack: string | undefined };

/**
 * Reads one part into fresh states of its source's modules. The worker threads run exactly this,
 * so a part gives the same states wherever it is read.
 */
export async function readPartIntoStates(
  part: SourcePart,
  modules: MetricModule[],
  parseTime: TimestampParser,
  onProgress: (bytes: number, rows: number) => void,
): Promise<PartOutcome> {
  const readers = modules.filter((m) => m.source === part.source);
  const states = readers.map((m) => m.init());
  const result = await readPart(
    SOURCES[part.source],
    part,
    parseTime,
    (records) => {
      for (let i = 0; i < readers.length; i++) {
        const module = readers[i] as MetricModule;
        const state = states[i];
        for (const record of records) module.add(state, record as RecordOf[SourceName]);
      }
      onProgress(0, records.length);
    },
    { onBytes: (n) => onProgress(n, 0) },
  );
  return { result, states };
}

function createLocalReader(
  options: PassOptions,
  modules: MetricModule[],
  onProgress: ProgressSink,
): PartReader {
  const parseTime = createTimestampParser(options.timeZone);
  // One part at a time: the parts share this thread anyway, and their order stays the plan's.
  // After a part fails, the parts still queued are not read (the pass has failed).
  let queue: Promise<unknown> = Promise.resolve();
  let failure: unknown = null;
  return {
    read(part) {
      const next = queue.then(() => {
        if (failure !== null) throw failure;
        return readPartIntoStates(part, modules, parseTime, (bytes, rows) =>
          onProgress(part.source, bytes, rows),
        );
      });
      queue = next.catch((err: unknown) => {
        failure ??= err;
      });
      return next;
    },
    close: async () => {},
  };
}

/**
 * A pool of worker threads, each reading one part at a time; states come back packed (structured
 * clone drops class prototypes) and are unpacked here.
 */
export function createThreadReader(
  count: number,
  options: PassOptions,
  modules: MetricModule[],
  onProgress: ProgressSink,
): PartReader {
  const setup: WorkerSetup = { timeZone: options.timeZone, metrics: options.metrics };
  const { entry, eval: isCode } = workerEntry();
  const waiting: { part: SourcePart; resolve: (o: PartOutcome) => void; reject: (e: Error) => void }[] = [];
  const running = new Map<number, { resolve: (o: PartOutcome) => void; reject: (e: Error) => void }>();
  const idle: Worker[] = [];
  let nextId = 0;
  let failure: Error | null = null;

  const fail = (err: Error) => {
    failure ??= err;
    for (const job of [...running.values(), ...waiting.splice(0)]) job.reject(failure);
    running.clear();
  };
  const dispatch = () => {
    while (idle.length > 0 && waiting.length > 0 && failure === null) {
      const worker = idle.pop() as Worker;
      const job = waiting.shift() as (typeof waiting)[number];
      const id = nextId++;
      running.set(id, job);
      worker.postMessage({ id, part: job.part });
    }
  };
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(entry, {
      workerData: setup,
      eval: isCode,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "progress") {
        onProgress(message.source, message.bytes, message.rows);
        return;
      }
      const job = running.get(message.id);
      running.delete(message.id);
      idle.push(worker);
      if (message.type === "failed") {
        const err = new Error(`[ingest:worker] ${message.message}`);
        if (message.stack) err.stack = message.stack;
        job?.reject(err); // this job left `running` above: `fail` rejects only the others
        fail(err);
        return;
      }
      const readers = modules.filter((m) => m.source === message.result.source);
      job?.resolve({ result: message.result, states: unpackStates(readers, message.states) });
      dispatch();
    });
    worker.on("error", (err) => fail(new Error(`[ingest:worker] ${err.message}`, { cause: err })));
    worker.on("exit", (code) => {
      if (code !== 0 && failure === null)
        fail(new Error(`[ingest:worker] a reading thread exited with code ${code}`));
    });
    idle.push(worker);
    return worker;
  });
  return {
    read(part) {
      if (failure !== null) return Promise.reject(failure);
      return new Promise<PartOutcome>((resolve, reject) => {
        waiting.push({ part, resolve, reject });
        dispatch();
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * The worker's module: compiled JavaScript next to this file; or, running from the TypeScript
 * sources (development, tests), a bootstrap that registers tsx's loader in the thread first.
 */
function workerEntry(): { entry: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith(".ts"))
    return { entry: new URL("./pass-worker.js", import.meta.url), eval: false };
  const api = new URL("../../node_modules/tsx/dist/esm/api/index.mjs", import.meta.url).href;
  const worker = new URL("./pass-worker.ts", import.meta.url).href;
  return {
    entry: `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`,
    eval: true,
  };
}

export type ProgressSink = (source: SourceName, bytes: number, rows: number) => void;

/** Per-source progress, summed over the parts being read (in any thread). */
function createProgress(
  plans: { source: SourceName; parts: SourcePart[] }[],
  onProgress: ((progress: IngestProgress) => void) | undefined,
) {
  const state = new Map(
    plans.map((p) => [
      p.source,
      { rows: 0, bytes: 0, totalBytes: p.parts.reduce((sum, part) => sum + (part.end - part.start), 0) },
    ]),
  );
  const tell = (source: SourceName, done: boolean) => {
    const s = state.get(source);
    if (s) onProgress?.({ source, rows: s.rows, bytes: s.bytes, totalBytes: s.totalBytes, done });
  };
  return {
    add: (source: SourceName, bytes: number, rows: number) => {
      const s = state.get(source);
      if (!s) return;
      s.bytes += bytes;
      s.rows += rows;
      if (rows > 0) tell(source, false);
    },
    done: (source: SourceName) => tell(source, true),
  };
}
