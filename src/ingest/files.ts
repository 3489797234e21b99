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

/** A stretch of a file: bytes `start` (inclusive) to `end` (exclusive). */
export interface ByteRange {
  start: number;
  end: number;
}

/** Whether a file starts with the gzip magic bytes (whatever its name). */
export async function isGzip(file: string): Promise<boolean> {
  const head = await readHead(file, 2);
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Up to `bytes` bytes from `position` of a file. */
export async function readHead(file: string, bytes: number, position = 0): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Opens a file as a byte stream, gunzipping it when it starts with the gzip magic bytes
 * (whatever its name), so `.gz` files and misnamed compressed files both read transparently.
 * With a range, only those bytes of an uncompressed file are read (a compressed file cannot be
 * entered in the middle, so it is never split).
 */
export async function openSourceFile(
  file: string,
  onData?: (chunk: Buffer) => void,
  range?: ByteRange,
): Promise<Readable> {
  const gzip = await isGzip(file);
  const raw = createReadStream(file, {
    highWaterMark: READ_CHUNK_BYTES,
    ...(range && !gzip ? { start: range.start, end: range.end - 1 } : {}),
  });
  if (onData) raw.on("data", (chunk) => onData(chunk as Buffer));
  if (!gzip) return raw;
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  raw.on("error", (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}
