import type { TimestampParser } from "../time/timestamp.js";

/**
 * Value rules of docs/data-contract.md §1, shared by every reader. A reader asks a `Row` for typed values;
 * a value that breaks its rule throws a `RowRejection` whose message is the reject reason.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * The largest absolute value a number may have: past it a value is out of range, so no sum of a
 * period's values can overflow (docs/data-contract.md §1).
 */
export const MAX_ABS_NUMBER = 1e15;

/**
 * A decimal literal (no NaN, Infinity, hex, units) → number, else undefined; NaN when it is one
 * but its absolute value is above {@link MAX_ABS_NUMBER} (out of range).
 */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Math.abs(value) <= MAX_ABS_NUMBER ? value : Number.NaN;
}

/** An integer literal (`2.5` and `4.0` are not) → number, else undefined; NaN when out of range. */
export function parseInteger(text: string): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const value = Number(text);
  return Math.abs(value) <= MAX_ABS_NUMBER ? value : Number.NaN;
}

/** The reason of an instant outside the years the contract allows. */
export const INSTANT_OUT_OF_RANGE = "out of range (instants must be in the years 1970 to 9999, UTC)";
const NUMBER_OUT_OF_RANGE = "out of range (above 1e15 in absolute value)";

/**
 * Why a row is rejected; thrown by `Row` accessors and caught by the reader, once per bad row.
 * It carries no stack trace: it is an expected outcome, not a fault, and capturing a stack costs
 * more than reading the row (a file with many bad rows would spend its time there).
 */
export class RowRejection extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** The U+FFFD that Node's UTF-8 decoding puts where the bytes were not valid UTF-8. */
const REPLACEMENT_CHARACTER = "\uFFFD";

/**
 * Typed access to one row's text values by column name. Values are trimmed; an empty value is a
 * missing one. Text holding U+FFFD is rejected as invalid UTF-8 (documented: a genuine U+FFFD in
 * the source is rejected too, which is the price of never guessing at broken bytes).
 */
export interface Row {
  /** A required text value. */
  text(column: string): string;
  /** An optional text value: null when the column is absent or the value empty. */
  optionalText(column: string): string | null;
  /** A required number >= min. */
  number(column: string, min: number): number;
  /** A required integer in [min, max]. */
  integer(column: string, min: number, max: number): number;
  /** An optional integer in [min, max]: null when absent or empty. */
  optionalInteger(column: string, min: number, max: number): number | null;
  /** A required timestamp. */
  time(column: string): number;
  /** An optional timestamp: null when absent or empty. */
  optionalTime(column: string): number | null;
}

/** Builds a `Row` over a raw value getter (`undefined` = column absent). */
export function createRow(raw: (column: string) => string | undefined, parseTime: TimestampParser): Row {
  const present = (column: string): string | null => {
    const value = raw(column);
    if (value === undefined) return null;
    const trimmed = value.trim();
    if (trimmed.includes(REPLACEMENT_CHARACTER)) reject(column, "invalid UTF-8", trimmed);
    return trimmed === "" ? null : trimmed;
  };
  const required = (column: string): string => {
    const value = present(column);
    if (value === null) throw new RowRejection(`${column}: missing value`);
    return value;
  };
  const toNumber = (column: string, value: string, min: number): number => {
    const n = parseDecimal(value);
    if (n === undefined) reject(column, "not a number", value);
    if (Number.isNaN(n)) reject(column, NUMBER_OUT_OF_RANGE, value);
    if (n < min) reject(column, `below ${min}`, value);
    return n;
  };
  const toInteger = (column: string, value: string, min: number, max: number): number => {
    const n = parseInteger(value);
    if (n === undefined) reject(column, "not an integer", value);
    if (Number.isNaN(n)) reject(column, NUMBER_OUT_OF_RANGE, value);
    if (n < min || n > max) reject(column, `not in ${min}..${max}`, value);
    return n;
  };
  const toTime = (column: string, value: string): number => {
    const t = parseTime(value);
    if (t === undefined) reject(column, "not a timestamp", value);
    if (Number.isNaN(t)) reject(column, INSTANT_OUT_OF_RANGE, value);
    return t;
  };
  return {
    text: required,
    optionalText: present,
    number: (column, min) => toNumber(column, required(column), min),
    integer: (column, min, max) => toInteger(column, required(column), min, max),
    optionalInteger: (column, min, max) => {
      const value = present(column);
      return value === null ? null : toInteger(column, value, min, max);
    },
    time: (column) => toTime(column, required(column)),
    optionalTime: (column) => {
      const value = present(column);
      return value === null ? null : toTime(column, value);
    },
  };
}

/** Throws the rejection for a bad value, quoting (a short form of) the value. */
export function reject(column: string, problem: string, value: string): never {
  throw new RowRejection(`${column}: ${problem} (${quote(value)})`);
}

// ---------------------------------------------------------------------------------------------

function quote(value: string): string {
  const short = value.length > 40 ? `${value.slice(0, 39)}…` : value;
  return JSON.stringify(short);
}
