import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { francAll } from "franc-min";

/**
 * Whether a feedback comment is English enough for the sentiment lexicon to score
 * (docs/data-contract.md §6.7). The lexicon is AFINN-165 plus English domain words: a comment in
 * French, Greek or Japanese would score 0 there and read as "neutral", a tone nobody expressed,
 * and then count as a mismatch with its rating. Such text is "not scored" instead.
 *
 * Trigram detection (franc-min) is reliable on paragraphs but not on the few words a shop
 * comment has: it reads "Smooth checkout, great prices" as Romanian and "App froze during
 * checkout" as German. So:
 * 1. a comment with no letters (emoji, digits, punctuation) is scored: there is no language to
 *    tell, and the lexicon has scores for emoji;
 * 2. one where fewer than half the letters are Latin script is not: Greek, Cyrillic, Japanese,
 *    Arabic … are never English;
 * 3. any other is scored when at least half its words are English words the project knows
 *    (AFINN-165's, the English domain words, common function words), which is how short English
 *    comments ("Great!", "Love it", "Works fine") that trigrams misread are still scored, or when
 *    franc-min's score for English is at least ENGLISH_WITHIN of its best language's (English, or
 *    too close to English to tell apart).
 * Measured on 60 short English shop comments and 40 in ten other Latin-script languages
 * (bench/feedback-language.ts): 57 of 60 English ones are scored and 37 of 40 others are not.
 */

/** How close English's trigram score must come to the best language's (1 = it must be the best). */
export const ENGLISH_WITHIN = 0.85;
/** Share of a comment's words that must be known English words when trigrams do not say English. */
export const ENGLISH_WORD_SHARE = 0.5;

/** Words that say little on their own but are plainly English, which AFINN (a list of scored words) lacks. */
const FUNCTION_WORDS =
  "a an the and or but if so to of in on at by for with from into about after before up down out " +
  "over off back again not no never very too is are was were be been being am it its it's i i'm " +
  "i've me my we our us you your they them their he she his her this that these those there here " +
  "what which who when where why how all any some more most much many just only also still had " +
  "has have do does did don't didn't doesn't can can't cannot could couldn't would wouldn't will " +
  "won't should get got as than then now even ever once twice one two ok okay";

const LEXICON_FILE = new URL("../../assets/sentiment/shop-lexicon.json", import.meta.url);
const require = createRequire(import.meta.url);
/** The sentiment package's own tokenizer, so "known words" are exactly the words the lexicon looks up. */
const tokenize = require("sentiment/lib/tokenize.js") as (text: string) => string[];

let english: ReadonlySet<string> | null = null;

/** AFINN-165's words, the lexicon's English domain words (not its `other_languages`), function words. */
function englishWords(): ReadonlySet<string> {
  if (english !== null) return english;
  const lexicon = JSON.parse(readFileSync(LEXICON_FILE, "utf8")) as { words: Record<string, number> };
  const afinn = require("sentiment/languages/en/labels.json") as Record<string, number>;
  english = new Set([...Object.keys(afinn), ...Object.keys(lexicon.words), ...FUNCTION_WORDS.split(" ")]);
  return english;
}

/**
 * Verdicts by text. Trigram detection costs some 30 µs a comment, and comments repeat ("Great",
 * a template's wording); the memo is emptied when full, so its memory stays bounded.
 */
const MEMO_LIMIT = 10_000;
const memo = new Map<string, boolean>();

/** Is this (non-empty) text one the English lexicon can score? */
export function isScorable(text: string): boolean {
  let verdict = memo.get(text);
  if (verdict === undefined) {
    verdict = tellScorable(text);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, verdict);
  }
  return verdict;
}

function tellScorable(text: string): boolean {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return true;
  const latin = text.match(/\p{Script=Latin}/gu)?.length ?? 0;
  if (latin * 2 < letters) return false;
  // The word test first: it is the cheaper of the two, and either one is enough.
  // Only tokens with letters are words: digits and emoji are no evidence of any language.
  const words = tokenize(text).filter((t) => /\p{L}/u.test(t));
  const known = words.filter((word) => englishWords().has(word)).length;
  if (known >= ENGLISH_WORD_SHARE * words.length) return true;
  const guesses = francAll(text, { minLength: 1 });
  const best = guesses[0]?.[1] ?? 0;
  const englishScore = guesses.find(([language]) => language === "eng")?.[1] ?? 0;
  return best > 0 && englishScore >= ENGLISH_WITHIN * best;
}
