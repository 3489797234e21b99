import { createRequire } from "node:module";
import Sentiment from "sentiment";
import { describe, expect, it } from "vitest";
import { createFeedbackMetrics } from "../../src/metrics/feedback.js";
import { isScorable } from "../../src/metrics/language.js";
import { classifyText, comparativeScore } from "../../src/metrics/sentiment.js";
import { at, contextFor, rowsOf, run, scalarOf } from "./helpers.js";

const thresholds = { positive_at: 0.2, negative_at: -0.2 };

describe("feedback text classes", () => {
  it.each([
    ["Checkout crashed after entering card details", "negative"],
    ["App froze during checkout", "negative"],
    ["Couldn't add product to cart", "negative"],
    ["Very fast loading, easy to use", "positive"],
    ["Everything worked smoothly", "positive"],
    ["Nice design, a bit slow at payment", "neutral"],
    ["Too many steps in checkout", "neutral"],
    ["Not responsive on mobile", "negative"],
    // Short English that trigram detection misreads is still scored.
    ["Great!", "positive"],
    ["Smooth checkout, great prices", "positive"],
    ["ok", "neutral"],
    // No letters: nothing to detect, and the lexicon scores emoji.
    ["😍", "positive"],
    ["😡", "negative"],
    // Languages the lexicon cannot read.
    ["Produit correct, livraison un peu lente", "not scored"],
    ["Très pratique, livraison rapide, merci !", "not scored"],
    ["Πολύ καλή εμπειρία, γρήγορη παράδοση", "not scored"],
    ["Оплата не прошла, очень неудобно", "not scored"],
    ["とても使いやすいです", "not scored"],
    ["الدفع لم يعمل", "not scored"],
  ])("%j is %s", (text, expected) => {
    expect(classifyText(text, thresholds)).toBe(expected);
  });

  it("gives empty text no class", () => {
    expect(classifyText("   ", thresholds)).toBeNull();
  });

  // Guards rule 2 of the language test: a script other than Latin is never English, however
  // many English-looking tokens (digits, emoji) come with it.
  it("never scores text mostly in another script", () => {
    expect(isScorable("Πολύ καλή 5/5 👍")).toBe(false);
    expect(isScorable("ok спасибо большое")).toBe(false);
    expect(isScorable("Great app 👍 5/5")).toBe(true);
  });

  it("leaves the package's shared English word list untouched", () => {
    const labels = createRequire(import.meta.url)("sentiment/languages/en/labels.json");
    comparativeScore("App froze and crashed");
    expect(labels.crashed).toBeUndefined();
    expect(new Sentiment().analyze("App froze during checkout").score).toBe(0);
  });
});

describe("feedback metrics", () => {
  const context = contextFor("2026-W46");
  const rows = [
    [5, "Smooth checkout, great prices"],
    [5, "Checkout crashed twice"], // positive rating, negative text: a mismatch
    [1, "App froze during checkout"],
    [3, ""], // no text: no class, not in mismatch figures
    [4, "Delivery was okay"], // neutral text, positive rating: a mismatch
    // Not scored: counted as a class, in no mismatch figure and no theme, whatever the rating.
    [1, "Le paiement a échoué, commande annulée"],
    [5, "Πολύ καλή εμπειρία, γρήγορη παράδοση"],
    [2, "支払いができませんでした"],
    [1, "فشل الدفع في صفحة الدفع"],
  ] as const;
  const out = run(
    createFeedbackMetrics(context),
    rows.map(([rating, feedback_text], i) => ({
      user_id: `u${i}`,
      timestamp: at(`2026-11-10T1${i}:00:00Z`),
      rating,
      feedback_text,
    })),
  );

  it("counts responses, the mean rating and every rating 1..5 with zeros", () => {
    expect(scalarOf(out, "feedback.responses")).toEqual({ value: 9, previous: 0 });
    expect(scalarOf(out, "feedback.rating_mean")).toEqual({ value: 27 / 9, previous: null });
    expect(rowsOf(out, "feedback.ratings")).toEqual([
      { rating: 1, count: 3 },
      { rating: 2, count: 1 },
      { rating: 3, count: 1 },
      { rating: 4, count: 1 },
      { rating: 5, count: 3 },
    ]);
  });

  it("classifies text and counts mismatches over rows with scored text", () => {
    expect(rowsOf(out, "feedback.text_classes")).toEqual([
      { class: "not scored", count: 4 },
      { class: "negative", count: 2 },
      { class: "neutral", count: 1 },
      { class: "positive", count: 1 },
    ]);
    expect(scalarOf(out, "feedback.mismatches")).toEqual({ value: 2, previous: 0 });
    expect(scalarOf(out, "feedback.mismatch_rate")).toEqual({ value: 0.5, previous: null });
    expect(rowsOf(out, "feedback.mismatch_examples").map((r) => r.text)).toEqual([
      "Checkout crashed twice",
      "Delivery was okay",
    ]);
  });

  it("groups negative feedback by theme", () => {
    expect(rowsOf(out, "feedback.negative_themes")).toEqual([
      { theme: "checkout", responses: 2 },
      { theme: "speed and stability", responses: 2 },
      { theme: "mobile", responses: 1 },
    ]);
  });
});
