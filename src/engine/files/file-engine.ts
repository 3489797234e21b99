import { SOURCE_NAMES } from "../../types.js";
import type { Engine } from "../engine.js";
import { readAllSources } from "./pass.js";

/**
 * The file engine: reads the source files on this machine (CSV, JSON Lines, gzip) in one pass,
 * on every core (pass.ts), and computes every metric as it goes. How it reads (files per source,
 * threads, part size) is the request's configuration, `data.*`.
 */
export function createFileEngine(): Engine {
  return {
    name: "files",
    async compute(request) {
      const { data } = request.config;
      const pass = await readAllSources({
        patterns: data.sources,
        workers: data.workers,
        splitBytes: data.split_mb * 1024 * 1024,
        spill: {
          fromBytes: data.spill_from_mb * 1024 * 1024,
          sliceBytes: data.spill_slice_mb * 1024 * 1024,
          ...(data.spill_dir === undefined ? {} : { dir: data.spill_dir }),
        },
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
        `${pass.threads === 1 ? "one thread" : `${pass.threads} threads`}, ${pass.parts} ${pass.parts === 1 ? "part" : "parts"}`,
        ...pass.readAgainWhole.map((file) => `${file} read again whole (a quoted line break across a split)`),
        ...Object.entries(pass.slices).map(
          ([source, n]) => `${source} finished in ${n} slices spilled to disk`,
        ),
      ];
      const measures: Record<string, number> = {
        threads: pass.threads,
        parts: pass.parts,
        plan_ms: pass.stagesMs.plan,
        read_ms: pass.stagesMs.read,
        merge_ms: pass.stagesMs.merge,
      };
      for (const [source, n] of Object.entries(pass.slices)) measures[`${source}_slices`] = n;
      for (const source of SOURCE_NAMES) {
        const ms = pass.sourceMs[source];
        if (ms !== undefined) measures[`${source}_ms`] = ms;
      }
      return { results: pass.results, sources: pass.summaries, notes, measures, coverage: pass.coverage };
    },
  };
}
