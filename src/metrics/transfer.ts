import { Counter } from "./counter.js";
import type { MetricModule } from "./module.js";
import { Sum } from "./sums.js";
import { ValueList } from "./value-list.js";

/**
 * Module states cross from worker threads to the main thread by structured clone, which keeps
 * plain objects, arrays, Maps, Sets and typed arrays but drops class prototypes. `packState`
 * turns the statistics classes in a state into tagged plain data (in place: the sender never uses
 * the state again) and `unpackState` turns them back on the other side, so a module's `merge` and
 * `result` get the same objects they would in one thread.
 */

const TAG = "__stats";

interface Transferable {
  toTransfer(): unknown;
}

const CLASSES = {
  ValueList: ValueList as { fromTransfer(data: unknown): ValueList },
  Sum: Sum as { fromTransfer(data: unknown): Sum },
  Counter: Counter as { fromTransfer(data: unknown): Counter<unknown> },
};
type ClassName = keyof typeof CLASSES;

/** Replaces every ValueList, Sum and Counter inside `state` by tagged plain data; returns the packed state. */
export function packState(state: unknown): unknown {
  return walk(state, pack);
}

/** The reverse of `packState`, on a structured clone of a packed state. */
export function unpackState(state: unknown): unknown {
  return walk(state, unpack);
}

/** The states of one source's modules (in module order), packed unless a module says its state is plain. */
export function packStates(modules: readonly MetricModule[], states: unknown[]): unknown[] {
  return states.map((state, i) => (modules[i]?.plainState ? state : packState(state)));
}

/** The reverse of `packStates`, on a structured clone of its result. */
export function unpackStates(modules: readonly MetricModule[], states: unknown[]): unknown[] {
  return states.map((state, i) => (modules[i]?.plainState ? state : unpackState(state)));
}

// ---------------------------------------------------------------------------------------------

function pack(value: object): unknown {
  const name: ClassName | null =
    value instanceof ValueList
      ? "ValueList"
      : value instanceof Sum
        ? "Sum"
        : value instanceof Counter
          ? "Counter"
          : null;
  return name === null ? undefined : { [TAG]: name, data: (value as Transferable).toTransfer() };
}

function unpack(value: object): unknown {
  const name = (value as Record<string, unknown>)[TAG];
  return typeof name === "string" && name in CLASSES
    ? CLASSES[name as ClassName].fromTransfer((value as { data: unknown }).data)
    : undefined;
}

/**
 * Visits every object inside `value` (arrays, Map values, plain object fields); where `convert`
 * returns something, that replaces the object in its container. Typed arrays and Sets (of
 * primitives, in these states) are left as they are.
 */
function walk(value: unknown, convert: (value: object) => unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value) || value instanceof Set) return value;
  const converted = convert(value);
  if (converted !== undefined) return converted;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== null && typeof item === "object") value[i] = walk(item, convert);
    }
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      if (item !== null && typeof item === "object") value.set(key, walk(item, convert));
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item !== null && typeof item === "object") record[key] = walk(item, convert);
    }
  }
  return value;
}
