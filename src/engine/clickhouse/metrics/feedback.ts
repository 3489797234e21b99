import { Counter, compareKeys, counterTable } from "../../../metrics/counter.js";
import { THEMES } from "../../../metrics/feedback.js";
import { scalar, table } from "../../../metrics/module.js";
import { ratingClass } from "../../../metrics/sentiment.js";
import { mean, ratio } from "../../../metrics/sums.js";
import type { TableRow } from "../../../types.js";
import { inEitherPeriod, literal, numberLiteral, periodOf, stringLiteral, type Which } from "../sql.js";
import { byPeriod, groupedOver, onePerPeriod, type SourceMetrics } from "./context.js";
import { countTables } from "./counts.js";

/** Mismatching comments kept as examples (metrics/feedback.ts keeps the same 20). */
const EXAMPLES_KEPT = 20;

/**
 * Feedback metrics in SQL (docs/data-contract.md §6.7), as metrics/feedback.ts. Whether a text
 * can be scored and its comparative score were worked out at load by the file engine's own
 * code (schema.ts); the thresholds of this run's configuration apply here.
 */
export const feedbackMetrics: SourceMetrics = async (q) => {
  const { positive_at, negative_at } = q.context.config.feedback.sentiment;
  const textClass = `multiIf(feedback_text = '', '', scorable = 0, 'not scored', score >= ${numberLiteral(positive_at)}, 'positive', score <= ${numberLiteral(negative_at)}, 'negative', 'neutral')`;
  const ratingClassSql = "multiIf(rating <= 2, 'negative', rating = 3, 'neutral', 'positive')";
  const scored = `${textClass} IN ('positive', 'negative', 'neutral')`;
  const mismatch = `(${scored} AND ${textClass} != ${ratingClassSql})`;
  const where = inEitherPeriod("timestamp", q.periods);
  const period = periodOf("timestamp", q.periods);
  const negative = `(${textClass} != 'not scored' AND (${ratingClassSql} = 'negative' OR ${textClass} = 'negative'))`;
  const themeCounts = Object.fromEntries(
    Object.values(THEMES).map((stems, i) => [
      `theme_${i}`,
      `countIf(${negative} AND (${stems.map((s) => `position(text_lower, ${stringLiteral(s)}) > 0`).join(" OR ")}))`,
    ]),
  );
  const examplesSql = (extra: string) =>
    `SELECT ${period} AS period, timestamp, rating, ${textClass} AS text_class, feedback_text FROM ${q.table}
     WHERE ${q.visible} AND ${where} AND ${mismatch}${extra}
     ORDER BY period, timestamp, feedback_text LIMIT ${EXAMPLES_KEPT} BY period`;
  const [totals, classes, firstExamples] = await Promise.all([
    groupedOver(q, {
      what: "feedback: totals",
      where,
      keys: { period },
      values: {
        n: "count()",
        rating_sum: q.sum("toFloat64(rating)"),
        ...Object.fromEntries([1, 2, 3, 4, 5].map((r) => [`r${r}`, `countIf(rating = ${r})`])),
        scored: `countIf(${scored})`,
        mismatches: `countIf(${mismatch})`,
        ...themeCounts,
      },
    }),
    groupedOver(q, {
      what: "feedback: text classes",
      where: `${where} AND ${textClass} != ''`,
      keys: { period, key: textClass },
      values: { n: "count()" },
    }),
    q.warehouse.rows<Record<string, unknown>>(examplesSql(""), "feedback: mismatch examples"),
  ]);
  // Rows at the time of the 20th example may tie with rows the server ordered after it by bytes:
  // fetch every one of them and order them as the file engine does (UTF-16 code units).
  const examples = byPeriod(firstExamples);
  for (const which of ["current", "previous"] as const) {
    const kept = examples[which];
    if (kept.length < EXAMPLES_KEPT) continue;
    const last = kept[kept.length - 1]?.timestamp;
    const ties = await q.warehouse.rows<Record<string, unknown>>(
      examplesSql(` AND timestamp = ${literal(last)} AND ${period} = '${which}'`).replace(
        `LIMIT ${EXAMPLES_KEPT} BY period`,
        "",
      ),
      "feedback: mismatch examples",
    );
    examples[which] = [...kept.filter((r) => r.timestamp !== last), ...ties];
  }
  const total = onePerPeriod(totals);
  const figures = (which: Which) => {
    const t = total[which];
    const n = Number(t?.n ?? 0);
    const themes = new Counter<string>();
    Object.keys(THEMES).forEach((theme, i) => {
      const count = Number(t?.[`theme_${i}`] ?? 0);
      if (count > 0) themes.add(theme, count);
    });
    const rows: TableRow[] = examples[which]
      .map((r) => ({
        timestamp: Number(r.timestamp),
        rating: Number(r.rating),
        text_class: String(r.text_class),
        text: String(r.feedback_text),
      }))
      .sort((a, b) => a.timestamp - b.timestamp || compareKeys(a.text, b.text))
      .slice(0, EXAMPLES_KEPT)
      .map((e) => ({
        rating: e.rating,
        rating_class: ratingClass(e.rating),
        text_class: e.text_class,
        text: e.text,
      }));
    return {
      n,
      mean: mean(Number(t?.rating_sum ?? 0), n),
      ratings: [1, 2, 3, 4, 5].map((rating) => ({ rating, count: Number(t?.[`r${rating}`] ?? 0) })),
      mismatches: Number(t?.mismatches ?? 0),
      rate: ratio(Number(t?.mismatches ?? 0), Number(t?.scored ?? 0)),
      examples: rows,
      themes: counterTable(themes, "theme", "responses"),
    };
  };
  const [c, p] = [figures("current"), figures("previous")];
  const classTables = countTables(classes, "class", "count");
  return {
    "feedback.responses": scalar(c.n, p.n),
    "feedback.rating_mean": scalar(c.mean, p.mean),
    "feedback.ratings": table(c.ratings, p.ratings),
    "feedback.text_classes": table(classTables.current, classTables.previous),
    "feedback.mismatches": scalar(c.mismatches, p.mismatches),
    "feedback.mismatch_rate": scalar(c.rate, p.rate),
    "feedback.mismatch_examples": table(c.examples, p.examples),
    "feedback.negative_themes": table(c.themes, p.themes),
  };
};
