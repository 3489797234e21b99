import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import { audienceDisplayName } from "../../src/config/names.js";
import { ReportsError } from "../../src/errors.js";
import { useTempDirs, write } from "../helpers/files.js";

const newDir = useTempDirs();

describe("configuration", () => {
  it("fills every default from an empty file", () => {
    const { config, errors } = parseConfig(null);
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      timezone: "UTC",
      data: { dir: "data", sources: {}, reject_limit: 0.05 },
      output: { dir: "out", page_size: "A4" },
    });
    expect(Object.keys(config?.audiences ?? {})).toEqual(["managers", "ux", "it", "support"]);
  });

  it("takes a currency Intl knows (EUR by default) and names audiences as their readers are called", () => {
    expect(parseConfig(null).config?.currency).toBe("EUR");
    expect(parseConfig({ currency: "JPY" }).config?.currency).toBe("JPY");
    for (const code of ["eur", "EURO", "XXY", "€"])
      expect(parseConfig({ currency: code }).errors).toEqual([
        "currency: not an ISO 4217 currency code this runtime knows (e.g. EUR, USD, GBP, in capitals)",
      ]);
    expect(audienceDisplayName("it", {})).toBe("IT");
    expect(audienceDisplayName("ux", undefined)).toBe("UX");
    expect(audienceDisplayName("managers", {})).toBe("Managers");
    expect(audienceDisplayName("customer-support", {})).toBe("Customer support");
    expect(audienceDisplayName("eu-ops", {})).toBe("EU ops");
    expect(audienceDisplayName("it", { name: "Platform team" })).toBe("Platform team");
  });

  it("lists every problem at once, each with its key path", () => {
    const { config, errors } = parseConfig({
      timezone: "Mars/Olympus",
      data: { reject_limit: 1.5, sources: { api: "api*.csv", apx: "x" } },
      output: { page_size: "A3" },
      audiences: { IT: { title: "Reliability" }, "../etc": { title: "x" }, ux: { title: "" } },
      colour: "blue",
    });
    expect(config).toBeNull();
    expect(errors).toEqual(
      expect.arrayContaining([
        "timezone: not a known IANA time zone (e.g. Europe/Paris, UTC)",
        "data.reject_limit: Too big: expected number to be <=1",
        "data.sources.apx: unknown key",
        expect.stringMatching(/^output\.page_size: /),
        "audiences.IT: must be a simple name of a-z, 0-9 and - (it becomes part of a file path)",
        'audiences["../etc"]: must be a simple name of a-z, 0-9 and - (it becomes part of a file path)',
        expect.stringMatching(/^audiences\.ux\.title: /),
        "colour: unknown key",
      ]),
    );
    expect(errors).toHaveLength(8);
  });

  it("refuses secrets in the file", () => {
    const { errors } = parseConfig({ smtp: { host: "mail", password: "hunter2" } });
    expect(errors).toContain(
      "smtp.password: secrets are read from the environment (e.g. SMTP_PASSWORD), never from this file",
    );
    expect(errors.join("\n")).not.toContain("hunter2");
  });

  it("reports YAML syntax errors with line and column, as a usage error", async () => {
    const dir = await newDir();
    const file = await write(dir, "reports.config.yaml", "timezone: UTC\ndata:\n  dir: [unclosed\n");
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportsError);
    expect((error as ReportsError).exitCode).toBe(2);
    expect((error as ReportsError).message).toMatch(
      /reports\.config\.yaml: 1 problem:\n {2}line \d+, column \d+: /,
    );
  });

  // Regression: an alias bomb made the yaml package throw past the loader (exit 70 with a stack).
  it("refuses a YAML alias bomb as a usage error naming the file", async () => {
    const dir = await newDir();
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
    }
    const file = await write(dir, "reports.config.yaml", `${lines.join("\n")}\n`);
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportsError);
    expect((error as ReportsError).exitCode).toBe(2);
    expect((error as ReportsError).message).toMatch(
      /reports\.config\.yaml: 1 problem:\n {2}Excessive alias count/,
    );
  });

  it("names the file and every problem when the schema fails", async () => {
    const dir = await newDir();
    const file = await write(dir, "bad.yaml", "timezone: Nowhere\ndata:\n  reject_limit: -1\n");
    await expect(loadConfig(file)).rejects.toThrow(
      /bad\.yaml: 2 problems:\n {2}timezone: .*\n {2}data\.reject_limit: /,
    );
  });

  it("resolves relative paths against the file's directory", async () => {
    const dir = await newDir();
    const file = await write(dir, "reports.config.yaml", "data:\n  dir: somewhere\n");
    const loaded = await loadConfig(file);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.config.data.dir).toBe("somewhere");
  });

  it("fails clearly when an explicit file does not exist", async () => {
    await expect(loadConfig("/nonexistent/reports.yaml")).rejects.toThrow(
      /\/nonexistent\/reports\.yaml: cannot read/,
    );
  });
});
