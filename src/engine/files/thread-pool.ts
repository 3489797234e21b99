import { Worker } from "node:worker_threads";
import type { PartResult, SourcePart } from "../../ingest/parts.js";
import type { CoverageState } from "../../metrics/coverage.js";
import type { MetricContext, MetricModule } from "../../metrics/module.js";
import { unpackStates } from "../../metrics/transfer.js";
import type { SourceName } from "../../types.js";
import type { PartOutcome, PartReader } from "./part-reader.js";
import type { ProgressSink } from "./progress.js";
import type { SpillPlan } from "./spill.js";

/**
 * A reading thread's young generation. Parsing allocates a string per field and an object per
 * row that die young; a young generation larger than V8's default (16 MB) lets more of them die
 * there: measured on 1M rows per source, 9.2-9.6 s instead of 10.4-11.2 s back to back (this
 * machine's runs vary by about 10 %), for about 30 MB more per thread. (Capping the old
 * generation instead saved 40-60 MB and cost 1.5 s.)
 */
const YOUNG_GENERATION_MB = 48;

/** What a worker thread needs to know, sent once when it starts. */
export interface WorkerSetup {
  timeZone: string;
  metrics: MetricContext | null;
  spill: SpillPlan | null;
}

/** Messages from a worker thread. */
export type WorkerMessage =
  | { type: "progress"; source: SourceName; bytes: number; rows: number }
  | { type: "done"; id: number; result: PartResult; states: unknown[]; coverage: CoverageState | null }
  | { type: "failed"; id: number; message: string; stack: string | undefined };

/**
 * A pool of worker threads, each reading one part at a time (worker.ts); states come back packed
 * (structured clone drops class prototypes) and are unpacked here. A thread that fails fails
 * every part still queued or running, so the pass ends instead of waiting.
 */
export function createThreadReader(
  count: number,
  setup: WorkerSetup,
  modules: MetricModule[],
  onProgress: ProgressSink,
): PartReader {
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
      job?.resolve({
        result: message.result,
        states: unpackStates(readers, message.states),
        coverage: message.coverage,
      });
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

// ---------------------------------------------------------------------------------------------

/**
 * The worker's module: compiled JavaScript next to this file; or, running from the TypeScript
 * sources (development, tests), a bootstrap that first registers tsx's loader in the thread
 * (found by module resolution, as any import would be).
 */
function workerEntry(): { entry: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith(".ts"))
    return { entry: new URL("./worker.js", import.meta.url), eval: false };
  const api = import.meta.resolve("tsx/esm/api");
  const worker = new URL("./worker.ts", import.meta.url).href;
  return {
    entry: `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`,
    eval: true,
  };
}
