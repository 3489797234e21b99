import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reports } from "../helpers/cli.js";
import { useTempDirs, write } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";

/**
 * Sessions spilled to disk in slices, as an operator meets it: the real command with the spill
 * thresholds made tiny, so a small sessions file goes to disk in many slices. The reports are the
 * same as when everything is held in memory, the spill folder is empty afterwards, and a spill
 * folder on a full disk (a real 64 KB tmpfs, when this runs as root) fails the run with one line
 * and exit 6, leaving no half-written period.
 */
const newDir = useTempDirs();
const data = useGeneratedData({ days: 14, rowsPerDay: 120, seed: 9, end: "2026-11-16", badRowRate: 0.005 });
const PERIOD = [
  "--period",
  "2026-W46",
  "--timezone",
  "Europe/Paris",
  "--generated-at",
  "2026-11-16T07:00:00Z",
];

const isRoot = process.getuid?.() === 0;

async function configWithSpill(dir: string, spillDir: string): Promise<string> {
  return write(
    dir,
    "reports.config.yaml",
    `data:\n  dir: ${data.dir}\n  spill_from_mb: 0.001\n  spill_slice_mb: 0.02\n  spill_dir: ${spillDir}\n`,
  );
}

const metricsOf = async (out: string) =>
  JSON.parse(await readFile(path.join(out, "2026-W46", "metrics.json"), "utf8")).metrics;

describe("sessions spilled to disk", () => {
  it("gives the same metrics.json as a run that holds every session, and leaves nothing behind", async () => {
    const dir = await newDir();
    const spillDir = await newDir();
    const held = await reports(["run", "--data", data.dir, "--out", `${dir}/held`, ...PERIOD]);
    expect(held.code, held.stderr).toBe(0);
    const config = await configWithSpill(dir, spillDir);
    const spilled = await reports(["run", "--config", config, "--out", `${dir}/spilled`, ...PERIOD]);
    expect(spilled.code, spilled.stderr).toBe(0);
    expect(spilled.stdout).toMatch(/sessions finished in \d+ slices spilled to disk/);
    expect(held.stdout).not.toContain("spilled");
    expect(await metricsOf(`${dir}/spilled`)).toEqual(await metricsOf(`${dir}/held`));
    expect(await readdir(spillDir)).toEqual([]);
  }, 120_000);

  it.skipIf(!isRoot)(
    "a full spill disk fails the run with one line naming the file, exit 6, and no period written",
    async () => {
      const dir = await newDir();
      const spillDir = await newDir();
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", spillDir]);
      try {
        const config = await configWithSpill(dir, spillDir);
        const out = `${dir}/out`;
        const result = await reports(["run", "--config", config, "--out", out, ...PERIOD]);
        expect(result.code, result.stderr).toBe(6);
        const lines = result.stderr.trim().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(
            `^reports: cannot write ${spillDir}/reports-spill-\\w+/.+\\.bin: no space left on the device`,
          ),
        );
        expect(await readdir(out).catch(() => [])).not.toContain("2026-W46");
        expect(await readdir(spillDir)).toEqual([]);
      } finally {
        execFileSync("umount", [spillDir]);
      }
    },
    120_000,
  );
});
