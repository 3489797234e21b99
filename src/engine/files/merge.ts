import { type PartResult, planParts, type SourcePart, summarizeParts } from "../../ingest/parts.js";
import { SOURCES } from "../../ingest/sources/index.js";
import type { CoverageCounter, CoverageCounts, CoverageState } from "../../metrics/coverage.js";
import type { MetricModule, Slicing } from "../../metrics/module.js";
import type { MetricOutput, MetricResults, Reject, SourceName, SourceSummary } from "../../types.js";
import type { PartOutcome, PartReader } from "./part-reader.js";
import type { SourcePlan } from "./plan.js";
import { isSpilled, type SpillIndex, type SpillPlan } from "./spill.js";

/**
 * The ordered merge of the parts as they come back, in whatever order the threads finish them.
 * The parts of a file are merged in part order (an early one waits for those before it), so the
 * main thread holds one state per file rather than every part's, and the result does not depend
 * on the number of threads: the same parts merge in the same order. A source whose files are all
 * in is finished at once (its summary, its modules' results) while the threads read on.
 *
 * A part before a file's last that ended inside an open quoted field means the split cut a
 * record (a quoted value held a line feed across the split point): that file's parts are
 * dropped and the file is read again whole, so splitting never changes a record.
 */
export function createPassMerge(options: {
  sources: SourcePlan[];
  modules: MetricModule[];
  reader: PartReader;
  onSourceDone: (source: SourceName) => void;
  onReject?: (source: SourceName, reject: Reject) => void;
  /**
   * The spill's plan (which sources' sliceable states the threads wrote to disk, in how many
   * slices) and its index; null: every state is held in memory.
   */
  spill?: { plan: SpillPlan; index: SpillIndex } | null;
  /** Counts each source's rows by hour of the two periods (null: no periods, no coverage). */
  counter?: CoverageCounter | null;
}) {
  const counter = options.counter ?? null;
  const { sources, modules, reader } = options;
  const slicesOf = (source: SourceName, module: MetricModule): number =>
    module.slicing !== undefined ? (options.spill?.plan.slices[source] ?? 1) : 1;
  const spillKey = (source: SourceName, i: number) => `${source}-${i}`;
  /**
   * A part's (or a whole file's) states, next in order for its file: merged into the file's
   * states; a spilled state is only listed in the spill's index (the file's state for that
   * module stays empty).
   */
  const take = (f: FileMerge, next: PartOutcome): void => {
    const { source, fileIndex, part } = next.result;
    const own = modulesOf(source);
    const states = own.map((m, i) => {
      const state = next.states[i];
      if (!isSpilled(state)) return state;
      options.spill?.index.add(spillKey(source, i), [fileIndex, part], state);
      return m.init();
    });
    const merged = f.states;
    f.states = merged === null ? states : own.map((m, i) => m.merge(merged[i], states[i]));
    if (counter !== null && next.coverage !== null)
      f.coverage = f.coverage === null ? next.coverage : counter.merge(f.coverage, next.coverage);
    f.results.push(next.result);
  };
  const modulesOf = (source: SourceName) => modules.filter((m) => m.source === source);
  const files = new Map<string, FileMerge>();
  for (const plan of sources) {
    for (const [fileIndex, file] of plan.files.entries()) {
      files.set(`${plan.source}:${fileIndex}`, {
        file: { ...file, source: plan.source, fileIndex },
        parts: plan.parts.filter((p) => p.fileIndex === fileIndex).length,
        next: 0,
        waiting: new Map(),
        states: null,
        coverage: null,
        results: [],
        readAgain: false,
      });
    }
  }
  const readAgainWhole: string[] = [];
  const again: Promise<void>[] = [];
  const sourceMs: Partial<Record<SourceName, number>> = {};
  const summaries = new Map<SourceName, SourceSummary>();
  const results: MetricResults = new Map();
  const coverage: Partial<Record<SourceName, CoverageCounts>> = {};
  const filesLeft = new Map(sources.map((p) => [p.source, p.files.length]));
  // Rejects are handed on in source order at the end, whichever source finished first.
  const rejectsOf = new Map<SourceName, Reject[]>(sources.map((p) => [p.source, []]));

  const finish = (source: SourceName): void => {
    const plan = sources.find((p) => p.source === source) as SourcePlan;
    const own = plan.files.map((_, i) => files.get(`${source}:${i}`) as FileMerge);
    const partResults = own.flatMap((f) => f.results);
    sourceMs[source] = partResults.reduce((sum, r) => sum + r.elapsedMs, 0);
    options.onSourceDone(source);
    summaries.set(
      source,
      summarizeParts(
        source,
        plan.files.map((f) => f.displayName),
        partResults,
        { onReject: options.onReject && ((reject) => rejectsOf.get(source)?.push(reject)) },
      ),
    );
    if (plan.files.length === 0) return;
    if (counter !== null) {
      let counts = counter.init();
      for (const f of own) if (f.coverage !== null) counts = counter.merge(counts, f.coverage);
      coverage[source] = counter.result(counts);
    }
    for (const [i, module] of modulesOf(source).entries()) {
      const count = slicesOf(source, module);
      let outputs: Record<string, MetricOutput>;
      if (count === 1) {
        let state = module.init();
        for (const f of own) if (f.states !== null) state = module.merge(state, f.states[i]);
        outputs = module.result(state);
      } else {
        // One slice in memory at a time: its parts merged in file and part order, then tallied.
        const slicing = module.slicing as Slicing<unknown>;
        let tally: unknown = null;
        for (let slice = 0; slice < count; slice++) {
          let state = module.init();
          for (const part of options.spill?.index.read(spillKey(source, i), slice) ?? [])
            state = module.merge(state, part);
          const sliceTally = slicing.tally(state);
          tally = tally === null ? sliceTally : slicing.mergeTallies(tally, sliceTally);
        }
        outputs = slicing.finish(tally);
      }
      for (const id of module.ids) results.set(id, outputs[id] as MetricOutput);
    }
    for (const f of own) Object.assign(f, { states: null, coverage: null });
  };
  const fileDone = (source: SourceName): void => {
    const left = (filesLeft.get(source) ?? 1) - 1;
    filesLeft.set(source, left);
    if (left === 0) finish(source);
  };
  const readWholeAgain = (f: FileMerge, source: SourceName): void => {
    Object.assign(f, { readAgain: true, waiting: new Map(), states: null, coverage: null, results: [] });
    for (const i of modulesOf(source).keys())
      options.spill?.index.dropFile(spillKey(source, i), f.file.fileIndex);
    readAgainWhole.push(f.file.displayName);
    const reread = planParts(SOURCES[source], [f.file], null).then(async ([whole]) => {
      const outcome = await reader.read({ ...(whole as SourcePart), fileIndex: f.file.fileIndex });
      Object.assign(f, { parts: 1, next: 1 });
      take(f, outcome);
      fileDone(source);
    });
    // Awaited after the first round; marked handled now, so a failure while the first round is
    // still running (which then fails the pass anyway) is not an unhandled rejection.
    reread.catch(() => {});
    again.push(reread);
  };

  return {
    /** Takes a part's outcome as soon as it arrives. */
    accept(outcome: PartOutcome): void {
      const { result } = outcome;
      const f = files.get(`${result.source}:${result.fileIndex}`) as FileMerge;
      // Parts of a file being read again whole arrive late and are dropped.
      if (f.readAgain) return;
      if (result.unclosedQuote && result.part < f.parts - 1) {
        readWholeAgain(f, result.source);
        return;
      }
      f.waiting.set(result.part, outcome);
      for (let next = f.waiting.get(f.next); next !== undefined; next = f.waiting.get(f.next)) {
        f.waiting.delete(f.next);
        f.next += 1;
        take(f, next);
      }
      if (f.next === f.parts) fileDone(result.source);
    },
    /** Waits for the files being read again (known only as parts come back, so the list grows). */
    async readsAgain(): Promise<void> {
      for (let n = 0; n < again.length; n = again.length) await Promise.all(again.slice(n));
    },
    /**
     * Finishes the sources that have no file, hands on every reject in source order, and gives
     * the summaries (catalog order), the results and what the pass measured.
     */
    end() {
      for (const plan of sources) if (plan.files.length === 0) finish(plan.source);
      for (const [source, rejects] of rejectsOf)
        for (const reject of rejects) options.onReject?.(source, reject);
      // In module order, not in the order the sources happened to finish: metrics.json's keys are
      // then the same from run to run, whatever the threads did.
      const ordered: MetricResults = new Map();
      for (const id of modules.flatMap((m) => m.ids)) {
        const output = results.get(id);
        if (output !== undefined) ordered.set(id, output);
      }
      return {
        summaries: sources.map((p) => summaries.get(p.source) as SourceSummary),
        results: ordered,
        sourceMs,
        readAgainWhole,
        coverage,
      };
    },
  };
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
  coverage: CoverageState | null;
  results: PartResult[];
  readAgain: boolean;
}
