import { describe, expect, it } from "vitest";
import type { MetricModule } from "../../src/metrics/module.js";
import { createMetricModules } from "../../src/metrics/modules.js";
import { packState, unpackState } from "../../src/metrics/transfer.js";
import type { RecordOf, SourceName } from "../../src/types.js";
import { expectClose } from "../helpers/close.js";
import { useGeneratedData } from "../helpers/generated.js";
import { contextFor } from "./helpers.js";

/**
 * The contract every metric module keeps: split the input, accumulate each part,
 * merge, and get what one pass over the whole gives; and merging is associative. Records are
 * split by alternating rows, so one session's events land in different parts, as they do across
 * rotated files.
 */
const context = contextFor("2026-W45", "Europe/Paris");
const data = useGeneratedData({ days: 21, rowsPerDay: 120, seed: 11, end: "2026-11-16", records: true });

function accumulate<S extends SourceName, St>(module: MetricModule<S, St>, rows: RecordOf[S][]): St {
  const state = module.init();
  for (const row of rows) module.add(state, row);
  return state;
}

describe.each(createMetricModules(context).map((m) => [m.name, m.source] as const))(
  "merge contract: %s",
  (name, source) => {
    const make = () =>
      createMetricModules(context).find((m) => m.name === name) as MetricModule<SourceName, unknown>;
    const rows = () => data.records.get(source) as RecordOf[SourceName][];

    it("has data in both periods to compare", () => {
      expect(rows().length).toBeGreaterThanOrEqual(20);
    });

    it("split in two, accumulated and merged, equals one pass", () => {
      const module = make();
      const all = rows();
      const whole = module.result(accumulate(module, all));
      const merged = module.result(
        module.merge(
          accumulate(
            module,
            all.filter((_, i) => i % 2 === 0),
          ),
          accumulate(
            module,
            all.filter((_, i) => i % 2 === 1),
          ),
        ),
      );
      expectClose(merged, whole);
    });

    it("merges associatively, and an empty part changes nothing", () => {
      const module = make();
      const all = rows();
      const part = (k: number) => all.filter((_, i) => i % 3 === k);
      const left = module.merge(
        module.merge(accumulate(module, part(0)), accumulate(module, part(1))),
        accumulate(module, part(2)),
      );
      const right = module.merge(
        accumulate(module, part(0)),
        module.merge(accumulate(module, part(1)), accumulate(module, part(2))),
      );
      expectClose(module.result(left), module.result(right));
      const withEmpty = module.merge(module.init(), accumulate(module, all));
      expectClose(module.result(withEmpty), module.result(accumulate(module, all)));
    });

    it("crosses threads: a structured clone of its (packed) state gives the same results and merges", () => {
      // What a worker thread posts: the state as it is when the module says it is plain data,
      // else packed (statistics classes as tagged data), then unpacked on the other side.
      const module = make();
      const all = rows();
      const half = (k: number) => all.filter((_, i) => i % 2 === k);
      const cross = (state: unknown) =>
        module.plainState ? structuredClone(state) : unpackState(structuredClone(packState(state)));
      const whole = module.result(accumulate(module, all));
      expect(module.result(cross(accumulate(module, all)))).toEqual(whole);
      const merged = module.merge(cross(accumulate(module, half(0))), cross(accumulate(module, half(1))));
      expect(module.result(merged)).toEqual(
        module.result(module.merge(accumulate(module, half(0)), accumulate(module, half(1)))),
      );
      // A plain state must really be plain: structured clone would throw on functions and
      // silently drop class prototypes, which the results above would show.
      if (module.plainState) expect(() => structuredClone(accumulate(module, all))).not.toThrow();
    });
  },
);
