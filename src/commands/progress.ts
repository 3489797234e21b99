import type { IngestProgress } from "../engine/engine.js";
import { formatCount } from "../util/format.js";

/**
 * Ingest progress on stderr (stdout stays the command's result). On a terminal, one live line
 * per source (rows, and bytes read of the bytes in its files), redrawn at most every 150 ms;
 * elsewhere (logs, CI), one plain line per source when it is done.
 */
export function ingestProgress(
  stream: NodeJS.WriteStream = process.stderr,
): (progress: IngestProgress) => void {
  let lastDraw = 0;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const line = (p: IngestProgress) =>
    `ingest ${p.source.padEnd(9)} ${formatCount(p.rows).padStart(11)} rows  ${mb(p.bytes)} / ${mb(p.totalBytes)} MB`;
  return (p) => {
    if (!stream.isTTY) {
      if (p.done && p.totalBytes > 0) stream.write(`${line(p)}\n`);
      return;
    }
    const now = Date.now();
    if (!p.done && now - lastDraw < 150) return;
    lastDraw = now;
    stream.write(`\r\x1b[K${line(p)}${p.done ? "\n" : ""}`);
  };
}
