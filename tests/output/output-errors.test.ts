import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { outputError, ReportsError } from "../../src/errors.js";
import { appendHistory, type RunRecord, readHistory } from "../../src/output/history.js";
import { openPeriodSet } from "../../src/output/period-set.js";
import { useTempDirs } from "../helpers/files.js";
import { manualRunOfW46 } from "../helpers/history.js";

const newDir = useTempDirs();
const isRoot = process.getuid?.() === 0;

const record: RunRecord = manualRunOfW46();

const expectOutputError = async (work: Promise<unknown>, file: string) => {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReportsError);
  expect(err).toMatchObject({ kind: "output", exitCode: 6 });
  expect((err as Error).message).toContain(file);
  expect((err as Error).message).not.toContain("\n");
};

describe("file-system errors in the output directory are one line and exit 6", () => {
  it("history.jsonl a folder (EISDIR), on append and on read", async () => {
    const out = await newDir();
    await mkdir(path.join(out, "history.jsonl"));
    await expectOutputError(appendHistory(out, record), path.join(out, "history.jsonl"));
    await expectOutputError(readHistory(out), path.join(out, "history.jsonl"));
  });

  it("the output directory a file (ENOTDIR / EEXIST), and <period> a file", async () => {
    const dir = await newDir();
    const file = path.join(dir, "out");
    await writeFile(file, "not a folder");
    await expectOutputError(openPeriodSet(file, "2026-W46"), file);
    await expectOutputError(openPeriodSet(path.join(file, "sub"), "2026-W46"), file);
    await writeFile(path.join(dir, "2026-W46"), "not a folder");
    await expectOutputError(openPeriodSet(dir, "2026-W46"), path.join(dir, "2026-W46"));
  });

  it("a full disk (ENOSPC) names the file the run was writing", async () => {
    const out = await newDir();
    const full = {
      writeFile: async () => {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      },
    };
    const set = await openPeriodSet(out, "2026-W46", full);
    await expectOutputError(set.writeFile("metrics.json", "{}"), path.join(out, "2026-W46", "metrics.json"));
    await set.discard();
    expect(outputError(new Error("other"))).toBeInstanceOf(Error);
    expect(outputError(new Error("other"))).not.toBeInstanceOf(ReportsError);
  });

  it.skipIf(isRoot)(
    "a read-only output directory (EACCES) — skipped when running as root, where chmod does not stop writes",
    async () => {
      const out = await newDir();
      await chmod(out, 0o500);
      try {
        await expectOutputError(openPeriodSet(out, "2026-W46"), out);
        await expectOutputError(appendHistory(out, record), path.join(out, "history.jsonl"));
      } finally {
        await chmod(out, 0o700);
      }
    },
  );
});
