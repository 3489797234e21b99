import { realpath, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Which files of the output directory the server hands out, and only those: a period's PDFs,
 * charts, metrics.json, findings.json and rejects.csv, named by a path of at most three plain
 * segments under the output directory (no segment starting with a dot, so no `..`, no staging
 * or lock folders; `%2e%2e` and `%2f` are decoded first and refused the same way). The real path,
 * symlinks resolved, must still be inside the output directory.
 */

const TYPES: Record<string, string> = {
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface ServedFile {
  file: string;
  type: string;
  size: number;
}

/** The file a raw URL path below `/files/` names, or null (then: 404, whatever the reason). */
export async function servedFile(outDir: string, rawPath: string): Promise<ServedFile | null> {
  let segments: string[];
  try {
    segments = rawPath.split("/").map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  if (segments.length < 2 || segments.length > 3) return null;
  if (!segments.every((s) => SEGMENT.test(s))) return null;
  if (segments[0] === "failed") return null;
  const type = TYPES[path.extname(segments.at(-1) as string).toLowerCase()];
  if (type === undefined) return null;
  try {
    const root = await realpath(outDir);
    const file = await realpath(path.join(root, ...segments));
    if (!file.startsWith(`${root}${path.sep}`)) return null;
    const info = await stat(file);
    return info.isFile() ? { file, type, size: info.size } : null;
  } catch {
    return null;
  }
}

/** A link to a served file (each segment encoded). */
export function fileHref(...segments: string[]): string {
  return `/files/${segments.map(encodeURIComponent).join("/")}`;
}
