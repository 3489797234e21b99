import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/output/atomic-write.js";
import { openPeriodSet } from "../../src/output/period-set.js";
import { useTempDirs } from "../helpers/files.js";

const newDir = useTempDirs();

async function oldSet(out: string) {
  await mkdir(path.join(out, "2026-W46"), { recursive: true });
  for (const name of ["managers.pdf", "it.pdf", "metrics.json"])
    await writeFile(path.join(out, "2026-W46", name), `old ${name}`);
}

describe("a period's files as one set", () => {
  it("a write failing half-way (a full disk) leaves the old set whole and no staging folder", async () => {
    const out = await newDir();
    await oldSet(out);
    let writes = 0;
    const full = {
      writeFile: async (file: string, data: string | Uint8Array) => {
        writes += 1;
        if (writes > 1) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
        await writeFileAtomic(file, data);
      },
    };
    const set = await openPeriodSet(out, "2026-W46", full);
    await set.writeFile("managers.pdf", "new");
    await expect(set.writeFile("metrics.json", "new")).rejects.toThrow("no space left on the device");
    await set.discard();
    expect((await readdir(out)).sort()).toEqual(["2026-W46"]);
    expect(await readFile(path.join(out, "2026-W46", "managers.pdf"), "utf8")).toBe("old managers.pdf");
    expect((await readdir(path.join(out, "2026-W46"))).sort()).toEqual([
      "it.pdf",
      "managers.pdf",
      "metrics.json",
    ]);
  });

  it("commit swaps the new set in, carrying over the files it does not replace", async () => {
    const out = await newDir();
    await oldSet(out);
    const set = await openPeriodSet(out, "2026-W46");
    expect(await set.writeFile("managers.pdf", "new")).toBe(path.join(out, "2026-W46", "managers.pdf"));
    await set.writeFile("metrics.json", "new");
    await set.commit((name) => name === "managers.pdf");
    expect((await readdir(out)).sort()).toEqual(["2026-W46"]);
    const read = (name: string) => readFile(path.join(out, "2026-W46", name), "utf8");
    expect([await read("managers.pdf"), await read("metrics.json"), await read("it.pdf")]).toEqual([
      "new",
      "new",
      "old it.pdf",
    ]);
  });

  it("puts back an old set a killed swap left aside, and removes dead runs' staging folders", async () => {
    const out = await newDir();
    await mkdir(path.join(out, ".2026-W46.old-999999999-ab12"));
    await writeFile(path.join(out, ".2026-W46.old-999999999-ab12", "it.pdf"), "old");
    await mkdir(path.join(out, ".2026-W46.tmp-999999999-cd34"));
    const set = await openPeriodSet(out, "2026-W46");
    await set.discard();
    expect(await readdir(out)).toEqual(["2026-W46"]);
    expect(await readFile(path.join(out, "2026-W46", "it.pdf"), "utf8")).toBe("old");
  });
});
