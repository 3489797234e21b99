import { expect } from "vitest";

/** Deep equality with numbers equal to 1e-9 relative (a merged sum may differ in its last bit). */
export function expectClose(actual: unknown, expected: unknown, at = "result"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    expect(Math.abs(actual - expected), at).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    return;
  }
  if (expected !== null && typeof expected === "object") {
    expect(actual !== null && typeof actual === "object", at).toBe(true);
    const keys = Object.keys(expected as object);
    expect(Object.keys(actual as object).sort(), at).toEqual([...keys].sort());
    for (const key of keys)
      expectClose(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${at}.${key}`,
      );
    return;
  }
  expect(actual, at).toEqual(expected);
}
