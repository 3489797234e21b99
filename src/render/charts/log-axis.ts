import { formatCount } from "../../util/format.js";

/** Above this ratio of the largest to the smallest value, a percentiles chart uses a log axis. */
export const LOG_SPAN = 20;
const GRID = "rgba(0, 0, 0, 0.18)";
const GRID_MINOR = "rgba(0, 0, 0, 0.06)";

/**
 * A log axis in milliseconds from the 1-2-5 step at or below `low` to the one at or above `high`;
 * labelled at its ends and at each power of ten (10 ms, 100 ms, 1 s, 10 s), with lighter lines at
 * the other steps between.
 */
export function logAxis(low: number, high: number, title: string) {
  const min = stepAtOrBelow(low);
  const max = stepAtOrAbove(high);
  const labelled = (v: number) => isPowerOfTen(v) || v === min || v === max;
  return {
    type: "logarithmic" as const,
    min,
    max,
    title: { display: true, text: title },
    ticks: {
      autoSkip: false,
      maxRotation: 0,
      callback: (v: number | string) => (labelled(Number(v)) ? tickLabel(Number(v)) : ""),
    },
    grid: {
      color: (ctx: { tick?: { value: number } }) =>
        ctx.tick !== undefined && isPowerOfTen(ctx.tick.value) ? GRID : GRID_MINOR,
    },
  };
}

const STEPS = [1, 2, 5, 10];

function stepAtOrBelow(v: number): number {
  const decade = 10 ** Math.floor(Math.log10(v));
  return ([...STEPS].reverse().find((s) => s * decade <= v * (1 + 1e-9)) ?? 1) * decade;
}

function stepAtOrAbove(v: number): number {
  const decade = 10 ** Math.floor(Math.log10(v));
  return (STEPS.find((s) => s * decade >= v * (1 - 1e-9)) ?? 10) * decade;
}

function isPowerOfTen(v: number): boolean {
  if (!(v > 0)) return false;
  const exponent = Math.round(Math.log10(v));
  return Math.abs(v - 10 ** exponent) < 1e-9 * v;
}

/** A tick of a 1-2-5 axis, in whole units: "50 ms", "1 s", "10 s" (no decimals to line up). */
function tickLabel(ms: number): string {
  return ms >= 1000 ? `${formatCount(ms / 1000)} s` : `${formatCount(ms)} ms`;
}
