import type { SampleDay, TimestampForm } from "./clock.js";
import type { Random } from "./random.js";

/**
 * Shoppers' sessions: each walks some way down the funnel (product → add to cart → cart →
 * checkout → order), searching and meeting errors on the way. Rates dip on the incident day,
 * when the payment service is down for hours.
 */

export interface SessionEventOut {
  user_id: string;
  session_id: string;
  path: string;
  css: string;
  event_time: string | number;
  text: string | null;
  value: string | null;
}

export interface ShopDay extends SampleDay {
  /** The payment incident: 5xx bursts, slow answers, failed checkouts. */
  incident: boolean;
  /** Part of the last full week, which is a bit worse than the weeks before. */
  lastWeek: boolean;
  /** Changes planted on this day (bench/findings-quality.ts); none in the shipped sample. */
  planted: Planted;
}

/** What a day's planted changes do: each is 1 / none when nothing is planted. */
export interface Planted {
  /** Share of this service's calls answered 5xx. */
  errors: { service: string; share: number } | null;
  /** This page loads this many times slower. */
  slower: { url: string; factor: number } | null;
  /** The chance a shopper at checkout places the order is multiplied by this. */
  conversion: number;
  /** Sessions (shoppers) are multiplied by this. */
  volume: number;
}

export const PRODUCTS = [
  "trail-running-shoes",
  "rain-jacket",
  "wool-socks",
  "hiking-backpack",
  "water-bottle",
  "headlamp",
  "merino-shirt",
  "camping-stove",
  "sleeping-bag",
  "trekking-poles",
];

const SEARCH_TERMS = [
  "shoes",
  "Running Shoes",
  " rain jacket ",
  "socks",
  "backpack",
  "WATER BOTTLE",
  "headlamp",
  "tent",
  "gift card",
  "",
];

export function shopperSession(
  day: ShopDay,
  random: Random,
  ids: { user: string; session: string },
  start: number,
  formatTime: (instant: number, form: TimestampForm, withMillis?: boolean) => string,
): SessionEventOut[] {
  const events: SessionEventOut[] = [];
  let t = start;
  const form = random.weighted<TimestampForm | "epoch">([
    ["offset", 6],
    ["utc", 2],
    ["naive", 1],
    ["epoch", 1],
  ]);
  const push = (path: string, css: string, extra: { text?: string; value?: string } = {}) => {
    events.push({
      user_id: ids.user,
      session_id: ids.session,
      path,
      css,
      event_time: form === "epoch" ? Math.round(t) : formatTime(t, form, random.chance(0.3)),
      text: extra.text ?? null,
      value: extra.value ?? null,
    });
    t += random.int(4, 90) * 1000 + random.int(0, 999);
  };
  const error = (path: string, message: string) => push(path, "div.error-message", { text: message });

  push("/", "a.nav-link");
  if (random.chance(0.45)) push("/search", "#search-bar", { value: random.pick(SEARCH_TERMS) });
  if (!random.chance(0.78)) return events;

  const product = random.pick(PRODUCTS);
  push(`/products/${product}`, "a.product-card");
  if (random.chance(0.3)) push(`/products/${random.pick(PRODUCTS)}`, "a.product-card");
  if (random.chance(0.03)) {
    error(`/products/${product}`, "Item out of stock");
    return events;
  }
  if (!random.chance(0.5)) return events;

  push(`/products/${product}`, "button.add-to-cart");
  if (!random.chance(0.72)) return events;

  push("/cart", "button.checkout");
  if (random.chance(0.04)) {
    error("/cart", "Item out of stock");
    return events;
  }
  if (!random.chance(0.85)) return events;

  push("/checkout", "input.card-number");
  const unavailable = day.incident ? 0.6 : 0.02;
  const declined = day.lastWeek ? 0.16 : 0.07;
  if (random.chance(unavailable)) {
    error("/checkout", "Payment service unavailable");
    if (!random.chance(0.2)) return events;
  } else if (random.chance(declined)) {
    error("/checkout", "Payment declined");
    if (!random.chance(0.35)) return events;
  } else if (random.chance(0.03)) {
    error("/checkout", "Address validation failed");
    return events;
  }
  if (random.chance((day.lastWeek ? 0.74 : 0.9) * day.planted.conversion))
    push("/checkout", "button.place-order");
  return events;
}
