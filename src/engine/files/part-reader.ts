import { type PartResult, readPart, type SourcePart } from "../../ingest/parts.js";
import { SOURCES } from "../../ingest/sources/index.js";
import type { CoverageCounter, CoverageState } from "../../metrics/coverage.js";
import type { MetricModule } from "../../metrics/module.js";
import { createTimestampParser, type TimestampParser } from "../../time/timestamp.js";
import type { RecordOf, SourceName } from "../../types.js";
import type { ProgressSink } from "./progress.js";
import { type SpillPlan, spillStates } from "./spill.js";

/** A part's result, the states of its source's metric modules and its coverage counts after reading it. */
export interface PartOutcome {
  result: PartResult;
  states: unknown[];
  /** Null when the pass has no periods (validate without one). */
  coverage: CoverageState | null;
}

/** Reads parts, in this thread or in a pool of threads; the pass does not know which. */
export interface PartReader {
  read(part: SourcePart): Promise<PartOutcome>;
  close(): Promise<void>;
}

/**
 * Reads one part into fresh states of its source's modules, spilling those the plan slices
 * (spill.ts). The worker threads run exactly this, so a part gives the same states wherever it is
 * read.
 */
export async function readPartIntoStates(
  part: SourcePart,
  modules: MetricModule[],
  parseTime: TimestampParser,
  onProgress: (bytes: number, rows: number) => void,
  spill: SpillPlan | null,
  counter: CoverageCounter | null,
): Promise<PartOutcome> {
  const readers = modules.filter((m) => m.source === part.source);
  const states = readers.map((m) => m.init());
  const spec = SOURCES[part.source] as unknown as { timeOf(record: unknown): number };
  const coverage = counter?.init() ?? null;
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
      if (counter !== null && coverage !== null)
        for (const record of records) counter.add(coverage, spec.timeOf(record));
      onProgress(0, records.length);
    },
    { onBytes: (n) => onProgress(n, 0) },
  );
  return { result, states: spillStates(spill, part.source, readers, states), coverage };
}

/**
 * The one-thread reader: parts one at a time, in the order asked (they would share this thread
 * anyway). After a part fails, the parts still queued are not read: the pass has failed.
 */
export function createLocalReader(
  timeZone: string,
  modules: MetricModule[],
  onProgress: ProgressSink,
  spill: SpillPlan | null,
  counter: CoverageCounter | null,
): PartReader {
  const parseTime = createTimestampParser(timeZone);
  let queue: Promise<unknown> = Promise.resolve();
  let failure: unknown = null;
  return {
    read(part) {
      const next = queue.then(() => {
        if (failure !== null) throw failure;
        return readPartIntoStates(
          part,
          modules,
          parseTime,
          (bytes, rows) => onProgress(part.source, bytes, rows),
          spill,
          counter,
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
