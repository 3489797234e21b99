import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ReportsError } from "../errors.js";
import { resolveSourceFiles } from "../ingest/files.js";
import type { IngestProgress } from "../ingest/ingest-source.js";
import {
  badlySplitFiles,
  displayName,
  type PartResult,
  planParts,
  readPart,
  type SourcePart,
  summarizeParts,
} from "../ingest/parts.js";
import { SOURCES } from "../ingest/sources/index.js";
import { createTimestampParser, type TimestampParser } from "../ingest/timestamp.js";
import { createMetricModules } from "../metrics/engine.js";
import type { MetricContext, MetricModule } from "../metrics/module.js";
import { unpackState } from "../metrics/transfer.js";
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
  /** Worker threads reading at once; 1 reads in this thread. */
  workers: number;
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
  /** Split files read again whole because a split point fell inside a quoted field. */
  readAgainWhole: string[];
}

/** Below this much data, starting threads costs more than it saves: one thread reads it all. */
const THREADS_FROM_BYTES = 8 * 1024 * 1024;

/** Threads to use when the configuration says "auto": the cores this process may use. */
export function autoWorkers(): number {
  return availableParallelism();
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

  const plans = await Promise.all(
    SOURCE_NAMES.map(async (source) => {
      const spec = SOURCES[source];
      const files = (
        await resolveSourceFiles(options.dataDir, options.patterns[source] ?? spec.defaultPattern)
      ).map((file) => ({ file, displayName: displayName(options.dataDir, file) }));
      return { source, files, parts: await planParts(spec, files, options.splitBytes) };
    }),
  );
  const allParts = plans.flatMap((p) => p.parts);
  const totalBytes = allParts.reduce((sum, p) => sum + (p.end - p.start), 0);
  const threads =
    totalBytes < (options.threadsFromBytes ?? THREADS_FROM_BYTES)
      ? 1
      : Math.max(1, Math.min(options.workers, allParts.length));
  const progress = createProgress(plans, options.onProgress);
  const reader =
    threads > 1
      ? createThreadReader(threads, options, progress.add)
      : createLocalReader(options, progress.add);
  try {
    // Largest parts first, so the last part to finish is a small one.
    const outcomes = await Promise.all(
      [...allParts].sort((a, b) => b.end - b.start - (a.end - a.start)).map((part) => reader.read(part)),
    );
    const bySource = new Map<SourceName, PartOutcome[]>(SOURCE_NAMES.map((s) => [s, []]));
    for (const outcome of outcomes) bySource.get(outcome.result.source)?.push(outcome);

    const sourceMs: Partial<Record<SourceName, number>> = {};
    const readAgainWhole: string[] = [];
    const summaries: SourceSummary[] = [];
    const results: MetricResults = new Map();
    for (const plan of plans) {
      let own = bySource.get(plan.source) as PartOutcome[];
      const bad = badlySplitFiles(
        own.map((o) => o.result),
        plan.parts,
      );
      if (bad.size > 0) {
        own = own.filter((o) => !bad.has(o.result.fileIndex));
        for (const i of bad) readAgainWhole.push(plan.files[i]?.displayName as string);
        const whole = await planParts(
          SOURCES[plan.source],
          plan.files.filter((_, i) => bad.has(i)),
          null,
        );
        const again = await Promise.all(
          whole.map((part, i) =>
            reader.read({ ...part, fileIndex: [...bad].sort((a, b) => a - b)[i] as number }),
          ),
        );
        own.push(...again);
      }
      own.sort((a, b) => a.result.fileIndex - b.result.fileIndex || a.result.part - b.result.part);
      sourceMs[plan.source] = own.reduce((sum, o) => sum + o.result.elapsedMs, 0);
      progress.done(plan.source);
      summaries.push(
        summarizeParts(
          plan.source,
          plan.files.map((f) => f.displayName),
          own.map((o) => o.result),
          { onReject: options.onReject && ((reject) => options.onReject?.(plan.source, reject)) },
        ),
      );
      if (options.metrics !== null && plan.files.length > 0) {
        for (const [id, output] of mergedResults(options.metrics, plan.source, own)) results.set(id, output);
      }
    }
    return { summaries, results, threads, parts: allParts.length, sourceMs, readAgainWhole };
  } finally {
    await reader.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** A part's result and the states of its source's metric modules after reading it. */
interface PartOutcome {
  result: PartResult;
  states: unknown[];
}

interface PartReader {
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

function createLocalReader(options: PassOptions, onProgress: ProgressSink): PartReader {
  const parseTime = createTimestampParser(options.timeZone);
  const modules = options.metrics === null ? [] : createMetricModules(options.metrics);
  // One part at a time: the parts share this thread anyway, and their order stays the plan's.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    read(part) {
      const next = queue.then(() =>
        readPartIntoStates(part, modules, parseTime, (bytes, rows) => onProgress(part.source, bytes, rows)),
      );
      queue = next.catch(() => {});
      return next;
    },
    close: async () => {},
  };
}

/**
 * A pool of worker threads, each reading one part at a time; states come back packed (structured
 * clone drops class prototypes) and are unpacked here.
 */
function createThreadReader(count: number, options: PassOptions, onProgress: ProgressSink): PartReader {
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
    const worker = new Worker(entry, { workerData: setup, eval: isCode });
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
        fail(err);
        return;
      }
      job?.resolve({ result: message.result, states: message.states.map(unpackState) });
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

/** Merges a source's part states in file and part order, and reads the modules' results. */
function mergedResults(
  context: MetricContext,
  source: SourceName,
  outcomes: PartOutcome[],
): [string, MetricOutput][] {
  const modules = createMetricModules(context).filter((m) => m.source === source);
  const outputs: [string, MetricOutput][] = [];
  modules.forEach((module, i) => {
    let state = module.init();
    for (const outcome of outcomes) state = module.merge(state, outcome.states[i]);
    const result = module.result(state);
    for (const id of module.ids) outputs.push([id, result[id] as MetricOutput]);
  });
  return outputs;
}

type ProgressSink = (source: SourceName, bytes: number, rows: number) => void;

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
