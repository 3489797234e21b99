import type { Config } from "../../config/schema.js";
import { SOURCE_NAMES } from "../../types.js";
import type { Engine } from "../engine.js";
import { type PassOptions, readAllSources } from "./pass.js";

/** How the file engine reads: threads and part size (the configuration's `data` section). */
export type FileEngineOptions = Pick<PassOptions, "patterns" | "workers" | "splitBytes" | "threadsFromBytes">;

/** The file engine's options from a configuration. */
export function fileEngineOptions(data: Config["data"]): FileEngineOptions {
  return { patterns: data.sources, workers: data.workers, splitBytes: data.split_mb * 1024 * 1024 };
}

/**
 * The file engine: reads the source files on this machine (CSV, JSON Lines, gzip) in one pass,
 * on every core (pass.ts), and computes every metric as it goes.
 */
export function createFileEngine(options: FileEngineOptions): Engine {
  return {
    name: "files",
    async compute(request) {
      const pass = await readAllSources({
        ...options,
        dataDir: request.dataDir,
        timeZone: request.timeZone,
        metrics:
          request.periods === null
            ? null
            : { ...request.periods, timeZone: request.timeZone, config: request.config },
        onReject: request.onReject,
        onProgress: request.onProgress,
      });
      const notes = [
        `${pass.threads === 1 ? "one thread" : `${pass.threads} threads`} (${pass.parts} ${pass.parts === 1 ? "part" : "parts"})`,
        ...pass.readAgainWhole.map(
          (file) => `${file} was read again whole: a quoted value held a line break across a split point`,
        ),
      ];
      const measures: Record<string, number> = {
        threads: pass.threads,
        parts: pass.parts,
        plan_ms: pass.stagesMs.plan,
        read_ms: pass.stagesMs.read,
        merge_ms: pass.stagesMs.merge,
      };
      for (const source of SOURCE_NAMES) {
        const ms = pass.sourceMs[source];
        if (ms !== undefined) measures[`${source}_ms`] = ms;
      }
      return { results: pass.results, sources: pass.summaries, notes, measures };
    },
  };
}
