import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { ReportsError } from "../../errors.js";
import { planParts, type SourcePart, sourceFiles } from "../../ingest/parts.js";
import { SOURCES } from "../../ingest/sources/index.js";
import { SOURCE_NAMES, type SourceName } from "../../types.js";

/** One source's share of the pass: its files, and the parts they are read in. */
export interface SourcePlan {
  source: SourceName;
  files: { file: string; displayName: string }[];
  parts: SourcePart[];
}

interface PassPlan {
  /** Every source, in catalog order (a source with no file has no parts). */
  sources: SourcePlan[];
  parts: SourcePart[];
  /** Threads to read with: 1 reads in this thread. */
  threads: number;
}

/** Below this much data, starting threads costs more than it saves: one thread reads it all. */
const THREADS_FROM_BYTES = 8 * 1024 * 1024;

/**
 * Lists every source's files and cuts them into parts: a file of at least twice `splitBytes` is
 * split on line starts (null: never split), and gzip files and JSON arrays are read whole. Then
 * chooses how many threads read: `workers` ("auto": the cores this process may use), never more
 * than there are parts, and one below `threadsFromBytes` of data in all.
 */
export async function planPass(options: {
  dataDir: string;
  patterns: Partial<Record<SourceName, string>>;
  workers: "auto" | number;
  splitBytes: number | null;
  threadsFromBytes?: number;
}): Promise<PassPlan> {
  const dir = await stat(options.dataDir).catch(() => null);
  if (!dir?.isDirectory()) throw new ReportsError("usage", `data directory not found: ${options.dataDir}`);
  const sources = await Promise.all(
    SOURCE_NAMES.map(async (source) => {
      const spec = SOURCES[source];
      const files = await sourceFiles(options.dataDir, options.patterns[source] ?? spec.defaultPattern);
      return { source, files, parts: await planParts(spec, files, options.splitBytes) };
    }),
  );
  const parts = sources.flatMap((p) => p.parts);
  const totalBytes = parts.reduce((sum, p) => sum + (p.end - p.start), 0);
  const wanted = options.workers === "auto" ? availableParallelism() : options.workers;
  const threads =
    totalBytes < (options.threadsFromBytes ?? THREADS_FROM_BYTES)
      ? 1
      : Math.max(1, Math.min(wanted, parts.length));
  return { sources, parts, threads };
}
