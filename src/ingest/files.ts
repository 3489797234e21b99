import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { glob } from "tinyglobby";

/**
 * Where a source's files are: one file, every file of a directory, or a glob (rotated logs:
 * `api_logs-2026-11-16.csv`, …), relative to the data directory. Files come back sorted, so
 * rejects and spans are reported in a stable order.
 */
export async function resolveSourceFiles(dataDir: string, pattern: string): Promise<string[]> {
  const target = path.resolve(dataDir, pattern);
  const info = await stat(target).catch(() => null);
  if (info?.isFile()) return [target];
  if (info?.isDirectory()) {
    const entries = await readdir(target, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !e.name.startsWith("."))
      .map((e) => path.join(target, e.name))
      .sort();
  }
  const matches = await glob(pattern, { cwd: dataDir, absolute: true, onlyFiles: true, dot: false });
  return matches.sort();
}

/** Read buffer size: large reads cut per-chunk overhead in the parsers. */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Opens a file as a byte stream, gunzipping it when it starts with the gzip magic bytes
 * (whatever its name), so `.gz` files and misnamed compressed files both read transparently.
 */
export async function openSourceFile(file: string, onBytes?: (bytes: number) => void): Promise<Readable> {
  const handle = await open(file, "r");
  const magic = Buffer.alloc(2);
  try {
    await handle.read(magic, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const raw = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  if (onBytes) raw.on("data", (chunk) => onBytes(chunk.length));
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return raw;
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  raw.on("error", (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}
