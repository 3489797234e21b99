/**
 * The sessions module's state (sessions.ts): a row per session, in columns, filled by `add` and
 * `merge` in any order of events and files; sessions-summary.ts reads it into a period's results.
 */

/**
 * Every session seen, one row each, in columns: numbers in typed arrays (no object per session,
 * and a structured clone to the main thread copies them as blocks), the rare values (a second
 * user, an error, search terms) in maps by row. About 60 bytes a session with the default five
 * steps, plus its id and user strings.
 */
export interface SessionsState {
  /** Session id → row. */
  index: Map<string, number>;
  size: number;
  ids: string[];
  users: string[];
  first: Float64Array;
  events: Float64Array;
  /** `steps` values per row: the first time each step's test matched an event (Infinity: never). */
  stepTimes: Float64Array;
  errorTime: Float64Array;
  /** Other user ids seen in the same session. */
  otherUsers: Map<number, string[]>;
  errorReason: Map<number, string>;
  /** Distinct `path\u0000message` pairs of the session's error events. */
  errorPairs: Map<number, Set<string>>;
  terms: Map<number, string[]>;
}

export function emptySessions(steps: number): SessionsState {
  const capacity = 64;
  return {
    index: new Map(),
    size: 0,
    ids: [],
    users: [],
    first: new Float64Array(capacity),
    events: new Float64Array(capacity),
    stepTimes: new Float64Array(capacity * steps),
    errorTime: new Float64Array(capacity),
    otherUsers: new Map(),
    errorReason: new Map(),
    errorPairs: new Map(),
    terms: new Map(),
  };
}

/** A new session's row: no event counted yet, no step, no error. */
export function newRow(state: SessionsState, id: string, user: string, steps: number): number {
  const r = state.size;
  if (r === state.first.length) grow(state, steps, r * 2);
  state.size += 1;
  state.index.set(id, r);
  state.ids.push(id);
  state.users.push(user);
  state.first[r] = Number.POSITIVE_INFINITY;
  state.events[r] = 0;
  state.stepTimes.fill(Number.POSITIVE_INFINITY, r * steps, (r + 1) * steps);
  state.errorTime[r] = Number.POSITIVE_INFINITY;
  return r;
}

function grow(state: SessionsState, steps: number, capacity: number): void {
  const larger = (column: Float64Array, width: number) => {
    const next = new Float64Array(capacity * width);
    next.set(column);
    return next;
  };
  state.first = larger(state.first, 1);
  state.events = larger(state.events, 1);
  state.stepTimes = larger(state.stepTimes, steps);
  state.errorTime = larger(state.errorTime, 1);
}

export function addUser(state: SessionsState, r: number, user: string): void {
  if (user === state.users[r]) return;
  const others = state.otherUsers.get(r);
  if (others === undefined) state.otherUsers.set(r, [user]);
  else if (!others.includes(user)) others.push(user);
}

export function addErrorPair(state: SessionsState, r: number, pair: string): void {
  const pairs = state.errorPairs.get(r);
  if (pairs === undefined) state.errorPairs.set(r, new Set([pair]));
  else pairs.add(pair);
}

export function addTerms(state: SessionsState, r: number, terms: string[]): void {
  const own = state.terms.get(r);
  if (own === undefined) state.terms.set(r, [...terms]);
  else own.push(...terms);
}

/**
 * The sessions cut into `count` states by a hash of the session id (FNV-1a), each keeping the
 * rows' order: the slices of engine/files/spill.ts. A session is in the same slice in every part.
 */
export function sliceSessions(state: SessionsState, count: number, steps: number): SessionsState[] {
  const slices = Array.from({ length: count }, () => emptySessions(steps));
  for (let r = 0; r < state.size; r++) {
    const id = state.ids[r] as string;
    const slice = slices[hashOf(id) % count] as SessionsState;
    const s = newRow(slice, id, state.users[r] as string, steps);
    slice.first[s] = state.first[r] as number;
    slice.events[s] = state.events[r] as number;
    slice.stepTimes.set(state.stepTimes.subarray(r * steps, (r + 1) * steps), s * steps);
    slice.errorTime[s] = state.errorTime[r] as number;
    const others = state.otherUsers.get(r);
    if (others !== undefined) slice.otherUsers.set(s, others);
    const reason = state.errorReason.get(r);
    if (reason !== undefined) slice.errorReason.set(s, reason);
    const pairs = state.errorPairs.get(r);
    if (pairs !== undefined) slice.errorPairs.set(s, pairs);
    const terms = state.terms.get(r);
    if (terms !== undefined) slice.terms.set(s, terms);
  }
  return slices;
}

/** FNV-1a over the UTF-16 code units: 32 bits, unsigned. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
