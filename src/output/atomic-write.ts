import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * The small file-system surface the pipeline writes through: tests can hand in
 * a temporary directory, and every write is atomic — a temporary file in the same directory,
 * then a rename — so a crash never leaves a half-written PDF under its final name.
 */
export interface OutputWriter {
  writeFile(file: string, data: string | Uint8Array): Promise<void>;
}

export function createAtomicWriter(): OutputWriter {
  return { writeFile: writeFileAtomic };
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}
