import { existsSync } from "node:fs";
import path from "node:path";
import Sentiment from "sentiment";
import { loadConfig } from "../src/config/load.js";
import { classifyText, NOT_SCORED, ratingClass, type TextClass } from "../src/metrics/sentiment.js";
import type { Feedback } from "../src/types.js";
import { ingestAll } from "../tests/helpers/sequential-pass.js";

/**
 * How often the text class agrees with the rating class (1-2 negative, 3 neutral, 4-5 positive),
 * with the project's lexicon and with plain AFINN-165 at the same thresholds, on the feedback of
 * each data directory named (default: the committed sample).
 * Usage: npx tsx bench/sentiment-agreement.ts [DIR …]
 */
const root = path.resolve(import.meta.dirname, "..");
const { config } = await loadConfig(path.join(root, "reports.config.yaml"));
const thresholds = config.feedback.sentiment;
const plain = new Sentiment();
const plainClass = (text: string): TextClass => {
  const score = plain.analyze(text).comparative;
  return score >= thresholds.positive_at
    ? "positive"
    : score <= thresholds.negative_at
      ? "negative"
      : "neutral";
};

const dirs = process.argv.length > 2 ? process.argv.slice(2) : [path.join(root, "data/sample")];
for (const dir of dirs.map((d) => path.resolve(d))) {
  if (!existsSync(dir)) throw new Error(`no such directory: ${dir}`);
  const rows: Feedback[] = [];
  await ingestAll(
    { dataDir: dir, timeZone: config.timezone },
    {
      feedback: (batch) => rows.push(...batch),
    },
  );
  const withText = rows.filter((r) => r.feedback_text.trim() !== "");
  // Agreement is measured where the report measures mismatches: over the texts that are scored.
  const scored = withText.filter((r) => classifyText(r.feedback_text, thresholds) !== NOT_SCORED);
  const agree = scored.filter(
    (r) => classifyText(r.feedback_text, thresholds) === ratingClass(r.rating),
  ).length;
  const agreePlain = scored.filter((r) => plainClass(r.feedback_text) === ratingClass(r.rating)).length;
  const pct = (n: number) => `${((n / scored.length) * 100).toFixed(1)} %`;
  console.log(
    `${path.relative(root, dir)}: ${withText.length} texts, ${withText.length - scored.length} not scored; ` +
      `agreement with lexicon ${agree}/${scored.length} (${pct(agree)}), plain AFINN ${agreePlain}/${scored.length} (${pct(agreePlain)})`,
  );
}
