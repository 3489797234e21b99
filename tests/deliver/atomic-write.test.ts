import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/output/atomic-write.js";
import { useTempDirs } from "../helpers/files.js";

const newDir = useTempDirs();

describe("atomic writes", () => {
  it("creates directories, writes, and leaves no temporary file", async () => {
    const dir = await newDir();
    const file = path.join(dir, "2026-W46", "managers.pdf");
    await writeFileAtomic(file, "first");
    await writeFileAtomic(file, "second");
    expect(await readFile(file, "utf8")).toBe("second");
    expect(await readdir(path.dirname(file))).toEqual(["managers.pdf"]);
  });

  it("leaves neither a partial file nor a temporary one when the final rename fails", async () => {
    const dir = await newDir();
    const target = path.join(dir, "report.pdf");
    await mkdir(path.join(target, "blocker"), { recursive: true }); // a non-empty directory where the file should go
    await expect(writeFileAtomic(target, "data")).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["report.pdf"]);
    expect(await readdir(target)).toEqual(["blocker"]);
  });
});
