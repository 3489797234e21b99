import { constants } from "node:fs";
import { type FileHandle, open, readlink, realpath } from "node:fs/promises";
import path from "node:path";

/**
 * Which files of the output directory the server hands out, and only those: a period's PDFs,
 * charts, metrics.json, findings.json and rejects.csv, named by a path of at most three plain
 * segments under the output directory (no segment starting with a dot, so no `..`, no staging
 * or lock folders; `%2e%2e` and `%2f` are decoded first and refused the same way).
 *
 * The file is opened once (not following a symlink as its last part) and everything is judged
 * on that open file: its real path, which must satisfy the same rules relative to the output
 * directory (a symlink inside it to history.jsonl or out of it is refused), its size and its
 * bytes. A folder swapped for a symlink between a check and the read cannot slip anything else in.
 */

const TYPES: Record<string, string> = {
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface ServedFile {
  handle: FileHandle;
  name: string;
  type: string;
  size: number;
}

/** The type of a path below the output directory under the rules above, or null. */
export function servedType(segments: string[]): string | null {
  if (segments.length < 2 || segments.length > 3) return null;
  if (!segments.every((s) => SEGMENT.test(s))) return null;
  if (segments[0] === "failed") return null;
  return TYPES[path.extname(segments.at(-1) as string).toLowerCase()] ?? null;
}

/** The open file a raw URL path below `/files/` names, or null (then: 404, whatever the reason). */
export async function servedFile(outDir: string, rawPath: string): Promise<ServedFile | null> {
  let segments: string[];
  try {
    segments = rawPath.split("/").map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  const type = servedType(segments);
  if (type === null) return null;
  let handle: FileHandle | null = null;
  try {
    const root = await realpath(outDir);
    handle = await open(path.join(root, ...segments), constants.O_RDONLY | constants.O_NOFOLLOW);
    // Where the open file really is (Linux: /proc/self/fd), checked by the same rules.
    const real = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    const where = real ?? (await realpath(path.join(root, ...segments)));
    const relative = path.relative(root, where);
    if (
      relative.startsWith("..") ||
      path.isAbsolute(relative) ||
      servedType(relative.split(path.sep)) !== type
    )
      throw new Error("outside");
    const info = await handle.stat();
    if (!info.isFile()) throw new Error("not a file");
    return { handle, name: path.basename(where), type, size: info.size };
  } catch {
    await handle?.close();
    return null;
  }
}

/** A link to a served file (each segment encoded). */
export function fileHref(...segments: string[]): string {
  return `/files/${segments.map(encodeURIComponent).join("/")}`;
}

/** True when the server would hand out this file name (the page links only those). */
export function servableName(name: string): boolean {
  return SEGMENT.test(name) && TYPES[path.extname(name).toLowerCase()] !== undefined;
}
