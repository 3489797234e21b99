/**
 * Sums, means and ratios, all exact: a sum is compensated, a mean or ratio over nothing is `null`,
 * never NaN. `Sum` has `toTransfer()` and `static fromTransfer()` for structured clone, as the
 * other statistics classes do.
 */

/**
 * A sum with Neumaier compensation: money adds up to the cent (10 carts of 120.50 … give
 * 1213.19, not 1213.1899999999998) and merges without losing the carried error.
 */
export class Sum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  merge(other: Sum): this {
    this.add(other.sum);
    this.add(other.compensation);
    return this;
  }

  get value(): number {
    return this.sum + this.compensation;
  }

  /** Plain data for structured clone: the running sum and its compensation, exactly. */
  toTransfer(): SumTransfer {
    return { sum: this.sum, compensation: this.compensation };
  }

  /** Rebuilds a sum from {@link toTransfer}'s data (after a structured clone). */
  static fromTransfer(data: unknown): Sum {
    const { sum, compensation } = (data ?? {}) as Partial<Record<string, unknown>>;
    if (typeof sum !== "number" || typeof compensation !== "number")
      throw new TypeError("Sum.fromTransfer: not a Sum transfer");
    const revived = new Sum();
    revived.sum = sum;
    revived.compensation = compensation;
    return revived;
  }
}

/** What {@link Sum.toTransfer} gives. */
export interface SumTransfer {
  sum: number;
  compensation: number;
}
/** `numerator / denominator`, or null when the denominator is 0 (never NaN). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Mean of a sum over a count, or null for nothing. */
export function mean(sum: number, count: number): number | null {
  return count === 0 ? null : sum / count;
}
