import type { SourcePart } from "../../ingest/parts.js";
import type { SourceName } from "../../types.js";
import type { IngestProgress } from "../engine.js";

/** Where the readers report what they read: bytes and rows of one source, since the last report. */
export type ProgressSink = (source: SourceName, bytes: number, rows: number) => void;

/** Per-source progress, summed over the parts being read (in any thread). */
export function createProgress(
  plans: { source: SourceName; parts: SourcePart[] }[],
  onProgress: ((progress: IngestProgress) => void) | undefined,
): { add: ProgressSink; done: (source: SourceName) => void } {
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
    add: (source, bytes, rows) => {
      const s = state.get(source);
      if (!s) return;
      s.bytes += bytes;
      s.rows += rows;
      if (rows > 0) tell(source, false);
    },
    done: (source) => tell(source, true),
  };
}
