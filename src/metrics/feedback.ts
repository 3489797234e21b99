import type { Feedback } from "../types.js";
import { Counter, compareKeys, counterTable } from "./counter.js";
import { column, describedBy, type MetricDescription, scalarMetric, tableMetric } from "./description.js";
import { type MetricContext, type MetricModule, scalar, table, type Windowed, windowed } from "./module.js";
import {
  classifyText,
  NOT_SCORED,
  ratingClass,
  type SentimentThresholds,
  type TextClass,
} from "./sentiment.js";
import { mean, ratio, Sum } from "./sums.js";

/** Mismatching comments `feedback.mismatch_examples` keeps (the earliest). */
const EXAMPLES_KEPT = 20;

/**
 * Feedback metrics (docs/data-contract.md §6.7). Empty text has no text class and is left out of
 * the mismatch figures; text in a language the lexicon cannot read has the class "not scored"
 * and is left out of the mismatch figures and the themes (its tone is unknown, and counting it
 * as neutral would make every such comment on a good or bad rating a mismatch). Project IDs:
 * - `feedback.mismatch_examples`: up to 20 responses whose text and rating disagree (earliest
 *   first), for the UX report;
 * - `feedback.negative_themes`: negative responses (rating 1-2 or negative text) by theme, a
 *   response counting once per theme its text mentions (keyword lists below).
 */
export const FEEDBACK_METRICS: readonly MetricDescription[] = [
  scalarMetric("feedback.responses", "Feedback responses", "count"),
  scalarMetric("feedback.rating_mean", "Mean rating", "rating", "up"),
  tableMetric("feedback.ratings", "Ratings", [
    column("rating", "Rating", "plain"),
    column("count", "Count", "count"),
  ]),
  tableMetric("feedback.text_classes", "Feedback tone", [
    column("class", "Class", "text"),
    column("count", "Count", "count"),
  ]),
  scalarMetric("feedback.mismatches", "Rating and text disagree", "count", "down"),
  scalarMetric("feedback.mismatch_rate", "Share where rating and text disagree", "rate", "down"),
  tableMetric(
    "feedback.mismatch_examples",
    "Comments whose tone disagrees with their rating",
    [
      column("rating", "Rating", "plain"),
      column("rating_class", "Rating says", "text"),
      column("text_class", "Text says", "text"),
      column("text", "Text", "text"),
    ],
    { limit: EXAMPLES_KEPT, countedBy: "feedback.mismatches", noun: "comments" },
  ),
  tableMetric("feedback.negative_themes", "Themes of negative feedback", [
    column("theme", "Theme", "text"),
    column("responses", "Responses", "count"),
  ]),
];

/** Themes of negative feedback, each a list of word stems found in the lower-cased text. */
export const THEMES: Record<string, readonly string[]> = {
  payment: ["payment", "pay", "card", "declin", "charge", "оплат", "πληρωμ", "paiement"],
  checkout: ["checkout", "order", "place order", "commande"],
  "speed and stability": [
    "slow",
    "crash",
    "froze",
    "freez",
    "lag",
    "loading",
    "hang",
    "reload",
    "lent",
    "медлен",
    "αργ",
  ],
  cart: ["cart", "basket", "panier"],
  delivery: ["deliver", "shipping", "arriv", "livraison", "достав", "παράδοσ"],
  search: ["search", "find", "recherche"],
  account: ["login", "log in", "password", "account", "sign in"],
  mobile: ["mobile", "phone", "app "],
};

interface Example {
  timestamp: number;
  rating: number;
  text_class: TextClass;
  text: string;
}

interface FeedbackPeriod {
  count: number;
  ratingSum: Sum;
  ratings: number[];
  textClasses: Counter;
  /** Rows whose text was scored: what the mismatch rate is a share of. */
  scored: number;
  mismatches: number;
  examples: Example[];
  themes: Counter;
}

export function createFeedbackMetrics(
  context: MetricContext,
): MetricModule<"feedback", Windowed<FeedbackPeriod>> {
  const thresholds: SentimentThresholds = context.config.feedback.sentiment;
  const window = windowed<Feedback, FeedbackPeriod>(context, (r) => r.timestamp, {
    init: () => ({
      count: 0,
      ratingSum: new Sum(),
      ratings: [0, 0, 0, 0, 0],
      textClasses: new Counter(),
      scored: 0,
      mismatches: 0,
      examples: [],
      themes: new Counter(),
    }),
    add(s, r) {
      s.count += 1;
      s.ratingSum.add(r.rating);
      s.ratings[r.rating - 1] = (s.ratings[r.rating - 1] ?? 0) + 1;
      const textClass = classifyText(r.feedback_text, thresholds);
      const byRating = ratingClass(r.rating);
      if (textClass !== null) s.textClasses.add(textClass);
      // Text the lexicon cannot read has no tone to compare or to theme: it is only counted.
      if (textClass === NOT_SCORED) return;
      if (textClass !== null) {
        s.scored += 1;
        if (textClass !== byRating) {
          s.mismatches += 1;
          keepExample(s.examples, {
            timestamp: r.timestamp,
            rating: r.rating,
            text_class: textClass,
            text: r.feedback_text,
          });
        }
      }
      if (byRating === "negative" || textClass === "negative") {
        const lower = r.feedback_text.toLowerCase();
        for (const [theme, stems] of Object.entries(THEMES)) {
          if (stems.some((stem) => lower.includes(stem))) s.themes.add(theme);
        }
      }
    },
    merge(a, b) {
      a.count += b.count;
      a.ratingSum.merge(b.ratingSum);
      a.ratings = a.ratings.map((n, i) => n + (b.ratings[i] ?? 0));
      a.textClasses.merge(b.textClasses);
      a.scored += b.scored;
      a.mismatches += b.mismatches;
      for (const example of b.examples) keepExample(a.examples, example);
      a.themes.merge(b.themes);
      return a;
    },
  });
  return {
    name: "feedback",
    source: "feedback",
    ...describedBy(FEEDBACK_METRICS),
    ...window,
    result({ current: c, previous: p }) {
      const ratings = (s: FeedbackPeriod) => s.ratings.map((count, i) => ({ rating: i + 1, count }));
      const examples = (s: FeedbackPeriod) =>
        s.examples.map((e) => ({
          rating: e.rating,
          rating_class: ratingClass(e.rating),
          text_class: e.text_class,
          text: e.text,
        }));
      return {
        "feedback.responses": scalar(c.count, p.count),
        "feedback.rating_mean": scalar(mean(c.ratingSum.value, c.count), mean(p.ratingSum.value, p.count)),
        "feedback.ratings": table(ratings(c), ratings(p)),
        "feedback.text_classes": table(
          counterTable(c.textClasses, "class", "count"),
          counterTable(p.textClasses, "class", "count"),
        ),
        "feedback.mismatches": scalar(c.mismatches, p.mismatches),
        "feedback.mismatch_rate": scalar(ratio(c.mismatches, c.scored), ratio(p.mismatches, p.scored)),
        "feedback.mismatch_examples": table(examples(c), examples(p)),
        "feedback.negative_themes": table(
          counterTable(c.themes, "theme", "responses"),
          counterTable(p.themes, "theme", "responses"),
        ),
      };
    },
  };
}

/** Keeps the earliest examples (by time, then text), whatever order they arrive in. */
function keepExample(examples: Example[], example: Example): void {
  examples.push(example);
  examples.sort((a, b) => a.timestamp - b.timestamp || compareKeys(a.text, b.text));
  if (examples.length > EXAMPLES_KEPT) examples.length = EXAMPLES_KEPT;
}
