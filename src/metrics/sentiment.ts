import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Sentiment from "sentiment";
import { isScorable } from "./language.js";

/**
 * Text class of a feedback comment: the `sentiment` package (AFINN-165) with the project's domain
 * lexicon (assets/sentiment/shop-lexicon.json), classified on the comparative score (score per
 * token) against two thresholds.
 *
 * The lexicon is registered once as a language of its own ("en-shop": AFINN plus the domain
 * words, English negators plus a few more), never through `analyze`'s `extras` option, which
 * writes into the package's shared English word list and so changes every later call.
 */
export type TextClass = "negative" | "neutral" | "positive";

/**
 * The class of text the lexicon cannot read (language.ts): counted in `feedback.text_classes`
 * but never compared with a rating.
 */
export const NOT_SCORED = "not scored";
export type TextVerdict = TextClass | typeof NOT_SCORED;

export interface SentimentThresholds {
  /** Comparative score at or above which a text is positive. */
  positive_at: number;
  /** Comparative score at or below which a text is negative. */
  negative_at: number;
}

const LANGUAGE = "en-shop";
const LEXICON_FILE = new URL("../../assets/sentiment/shop-lexicon.json", import.meta.url);

let analyzer: Sentiment | null = null;

function shopAnalyzer(): Sentiment {
  if (analyzer !== null) return analyzer;
  const lexicon = JSON.parse(readFileSync(LEXICON_FILE, "utf8")) as {
    negators: string[];
    words: Record<string, number>;
    other_languages: Record<string, number>;
  };
  const english = englishLanguage();
  const negators = new Set([...Object.keys(english.negators), ...lexicon.negators]);
  const made = new Sentiment();
  made.registerLanguage(LANGUAGE, {
    labels: { ...english.labels, ...lexicon.words, ...lexicon.other_languages },
    scoringStrategy: {
      apply(tokens: string[], cursor: number, tokenScore: number): number {
        return cursor > 0 && negators.has(tokens[cursor - 1] as string) ? -tokenScore : tokenScore;
      },
    },
  });
  analyzer = made;
  return made;
}

/** The comparative score of a text (0 for text without scored words). */
export function comparativeScore(text: string): number {
  return shopAnalyzer().analyze(text, { language: LANGUAGE }).comparative;
}

/** The text class, "not scored" for text the lexicon cannot read, or null for empty text (no class). */
export function classifyText(text: string, thresholds: SentimentThresholds): TextVerdict | null {
  if (text.trim() === "") return null;
  if (!isScorable(text)) return NOT_SCORED;
  const score = comparativeScore(text);
  if (score >= thresholds.positive_at) return "positive";
  if (score <= thresholds.negative_at) return "negative";
  return "neutral";
}

/** Rating class of docs/data-contract.md §6: 1-2 negative, 3 neutral, 4-5 positive. */
export function ratingClass(rating: number): TextClass {
  return rating <= 2 ? "negative" : rating === 3 ? "neutral" : "positive";
}

// ---------------------------------------------------------------------------------------------

/** The package's own English word list and negators, read (not modified) through Node's resolver. */
function englishLanguage(): { labels: Record<string, number>; negators: Record<string, number> } {
  const require = createRequire(import.meta.url);
  return {
    labels: require("sentiment/languages/en/labels.json"),
    negators: require("sentiment/languages/en/negators.json"),
  };
}
