import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** tsx's loader by absolute URL: `--import tsx` would resolve from the child's working directory. */
export const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `reports` command (TypeScript sources through tsx) in `cwd`, `env` added to ours. */
export function reports(
  args: string[],
  cwd: string = ROOT,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", TSX_LOADER, path.join(ROOT, "src/reports.ts"), ...args],
      {
        cwd,
        env: { ...process.env, NODE_OPTIONS: "", FORCE_COLOR: "0", ...env },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export { ROOT };
