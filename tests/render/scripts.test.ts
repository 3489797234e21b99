import { execFileSync } from "node:child_process";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { createEngine } from "../../src/engine/engines.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import { type RunResult, runReports } from "../../src/run/run-reports.js";
import { parsePeriodSpec } from "../../src/time/periods.js";
import { useGeneratedData } from "../helpers/generated.js";
import { drawnGlyphIds, pdfFonts } from "../helpers/pdf.js";

/**
 * What shoppers write, in ten scripts, reaches the report: every string is drawn with real glyphs
 * (no glyph 0, the empty box of a font that lacks a character) and read back by pdftotext as it
 * was written, in logical order, right-to-left text included.
 */
const WRITTEN = [
  { script: "Japanese", text: "配送が早くて助かりました" },
  { script: "Chinese", text: "物流很快产品质量很好" },
  { script: "Korean", text: "배송이 빠르고 제품이 좋아요" },
  { script: "Hindi", text: "डिलीवरी तेज़ थी और उत्पाद अच्छा है" },
  { script: "Thai", text: "จัดส่งเร็วมาก สินค้าดีมาก" },
  { script: "Arabic", text: "التوصيل سريع والمنتج ممتاز" },
  { script: "Hebrew", text: "המשלוח היה מהיר והמוצר מצוין" },
  { script: "Greek", text: "πολύ καλή εμπειρία" },
  { script: "Vietnamese", text: "giao hàng nhanh, sản phẩm tốt" },
  { script: "Emoji", text: "great 👍 🎉" },
];
const GENERATED_AT = Date.parse("2026-11-16T07:00:00Z");
const data = useGeneratedData({ days: 14, rowsPerDay: 60, seed: 11, end: "2026-11-16" });
let result: RunResult;
let outDir = "";

beforeAll(async () => {
  // Each string as an error message shown on /checkout and as a search term, on Tue 10 Nov.
  // Five sessions each, so every string ranks among the top rows of its table.
  const events = WRITTEN.flatMap(({ text }, i) =>
    [1, 2, 3, 4, 5].flatMap((n) => {
      const at = `2026-11-10T1${i % 10}:0${n}:00+01:00`;
      const base = { user_id: `UX${i}`, session_id: `SX${i}-${n}`, path: "/checkout" };
      return [
        { ...base, css: "#search-bar", event_time: at, text: null, value: text },
        { ...base, css: "div.error-message", event_time: at, text, value: null },
      ];
    }),
  );
  await appendFile(
    path.join(data.dir, "sessions.jsonl"),
    `${events.map((e) => JSON.stringify(e)).join("\n")}\n`,
  );
  const config = parseConfig({ timezone: "Europe/Paris" }).config as Config;
  outDir = await mkdtemp(path.join(tmpdir(), "reports-scripts-"));
  result = await runReports({
    config,
    engine: createEngine("files"),
    dataDir: data.dir,
    outDir,
    timeZone: "Europe/Paris",
    period: parsePeriodSpec("2026-W46", "Europe/Paris", GENERATED_AT),
    now: GENERATED_AT,
    generatedAt: GENERATED_AT,
    templates: await loadTemplates(BUNDLED_TEMPLATES, config.audiences, [
      "viewed_product",
      "added_to_cart",
      "viewed_cart",
      "checkout_started",
      "order_placed",
    ]),
    audiences: ["ux"],
  });
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

/**
 * pdftotext's text in reading order (not -layout: a cell's wrapped lines stay together), without
 * the bidi embedding marks it puts around right-to-left runs, white space folded.
 */
const extracted = (pdf: string) =>
  execFileSync("pdftotext", [pdf, "-"], { encoding: "utf8" })
    .replace(/[\u202a-\u202e]/g, "")
    .replace(/\s+/g, " ");

describe("text in every script", () => {
  it("reads every string back from the report, in the order it was written", () => {
    const text = extracted(path.join(result.periodDir, "ux.pdf"));
    const missing = WRITTEN.filter(({ text: written }) => !text.includes(written.toLowerCase()));
    expect(missing.map((m) => m.script)).toEqual([]);
  });

  it("draws no glyph 0 (an empty box) anywhere", () => {
    const ids = drawnGlyphIds(path.join(result.periodDir, "ux.pdf"));
    expect(ids.length).toBeGreaterThan(1000);
    expect(ids.filter((id) => id === 0)).toEqual([]);
  });

  it("embeds each font of the fallback chain it needed, as a subset", () => {
    const fonts = pdfFonts(path.join(result.periodDir, "ux.pdf"));
    for (const name of [
      "DejaVuSans",
      "NotoSansCJKjp-Regular",
      "NotoSansDevanagari",
      "NotoSansThai",
      "NotoSansArabic",
      "NotoSansHebrew",
      "Symbola",
    ])
      expect(fonts).toMatch(
        new RegExp(`[A-Z]{6}\\+${name}\\S* +CID (TrueType|Type 0C) +Identity-H +yes yes yes`),
      );
  });
});
