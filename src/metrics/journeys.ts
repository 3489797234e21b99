import type { Journey } from "../types.js";
import { Counter, counterTable } from "./counter.js";
import { column, describedBy, type MetricDescription, scalarMetric, tableMetric } from "./description.js";
import { type MetricContext, type MetricModule, scalar, table, type Windowed, windowed } from "./module.js";
import { mean, ratio, Sum } from "./sums.js";
import { percentiles, ValueList } from "./value-list.js";

/** Journey metrics (docs/data-contract.md §6.6); `none` as drop_off_page means the session completed. */
export const JOURNEYS_METRICS: readonly MetricDescription[] = [
  scalarMetric("journeys.sessions", "Tracked journeys", "count"),
  scalarMetric("journeys.duration_mean_min", "Mean journey duration", "minutes"),
  scalarMetric("journeys.duration_median_min", "Median journey duration", "minutes"),
  scalarMetric("journeys.completion_rate", "Journey completion", "rate", "up"),
  tableMetric("journeys.drop_offs", "Journey drop-off pages", [
    column("page", "Page", "text"),
    column("sessions", "Sessions", "count"),
  ]),
  tableMetric("journeys.top_paths", "Most common journeys", [
    column("path", "Path", "text"),
    column("sessions", "Sessions", "count"),
  ]),
];

interface JourneysPeriod {
  count: number;
  completed: number;
  minutes: ValueList;
  minutesSum: Sum;
  dropOffs: Counter;
  paths: Counter;
}

export function createJourneysMetrics(
  context: MetricContext,
): MetricModule<"journeys", Windowed<JourneysPeriod>> {
  const window = windowed<Journey, JourneysPeriod>(context, (r) => r.start_time, {
    init: () => ({
      count: 0,
      completed: 0,
      minutes: new ValueList(),
      minutesSum: new Sum(),
      dropOffs: new Counter(),
      paths: new Counter(),
    }),
    add(s, r) {
      const minutes = (r.end_time - r.start_time) / 60_000;
      s.count += 1;
      s.minutes.push(minutes);
      s.minutesSum.add(minutes);
      if (r.drop_off_page === "none") s.completed += 1;
      else s.dropOffs.add(r.drop_off_page);
      s.paths.add(r.page_sequence);
    },
    merge(a, b) {
      a.count += b.count;
      a.completed += b.completed;
      a.minutes.append(b.minutes);
      a.minutesSum.merge(b.minutesSum);
      a.dropOffs.merge(b.dropOffs);
      a.paths.merge(b.paths);
      return a;
    },
  });
  return {
    name: "journeys",
    source: "journeys",
    ...describedBy(JOURNEYS_METRICS),
    ...window,
    result({ current: c, previous: p }) {
      return {
        "journeys.sessions": scalar(c.count, p.count),
        "journeys.duration_mean_min": scalar(
          mean(c.minutesSum.value, c.count),
          mean(p.minutesSum.value, p.count),
        ),
        "journeys.duration_median_min": scalar(
          percentiles(c.minutes, [0.5] as const)[0],
          percentiles(p.minutes, [0.5] as const)[0],
        ),
        "journeys.completion_rate": scalar(ratio(c.completed, c.count), ratio(p.completed, p.count)),
        "journeys.drop_offs": table(
          counterTable(c.dropOffs, "page", "sessions"),
          counterTable(p.dropOffs, "page", "sessions"),
        ),
        "journeys.top_paths": table(
          counterTable(c.paths, "path", "sessions"),
          counterTable(p.paths, "path", "sessions"),
        ),
      };
    },
  };
}
