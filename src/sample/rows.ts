import type { Priority } from "../types.js";
import type { TimestampForm } from "./clock.js";
import type { Random } from "./random.js";
import type { ShopDay } from "./shoppers.js";

/**
 * One row of each CSV source, in the column order of its header. Each builder gets the day (for
 * the incident and the weekly trend), the randomness and the instant; values are realistic, not
 * uniform: log-normal latencies, a slow checkout page, ratings that mostly agree with their text.
 */

type Format = (instant: number, form: TimestampForm, withMillis?: boolean) => string;

export const HEADERS = {
  api: ["timestamp", "endpoint", "status_code", "response_time_ms", "service_name"],
  pages: ["page_url", "timestamp", "load_time_ms"],
  clicks: ["user_id", "timestamp", "page", "element_clicked"],
  carts: ["user_id", "cart_id", "abandonment_time", "items_in_cart", "total_value"],
  journeys: ["session_id", "user_id", "start_time", "end_time", "page_sequence", "drop_off_page"],
  feedback: ["user_id", "timestamp", "feedback_text", "rating"],
  support: [
    "ticket_id",
    "created_at",
    "resolved_at",
    "category",
    "priority",
    "user_id",
    "channel",
    "status",
    "csat",
  ],
} as const;

const SERVICES = [
  {
    service: "product-api",
    endpoints: ["/get_product", "/search", "/list_products"],
    median: 95,
    weight: 40,
  },
  { service: "cart-service", endpoints: ["/add_to_cart", "/cart"], median: 120, weight: 22 },
  { service: "payment-api", endpoints: ["/checkout", "/payment/authorize"], median: 320, weight: 10 },
  { service: "user-service", endpoints: ["/login", "/profile"], median: 70, weight: 16 },
  { service: "recommendation-service", endpoints: ["/recommendations"], median: 180, weight: 12 },
].map((s) => [s, s.weight] as const);

export function apiRow(day: ShopDay, random: Random, t: number, format: Format): (string | number)[] {
  const { service, endpoints, median } = random.weighted(SERVICES);
  const hour = new Date(t).getUTCHours();
  const outage = day.incident && service === "payment-api" && hour >= 12 && hour < 17;
  let status = random.weighted([
    [200, 90],
    [201, 3],
    [304, 3],
    [400, 1.2],
    [401, 0.8],
    [404, 1.5],
    [500, 0.3],
    [503, 0.2],
  ] as const) as number;
  if (outage && random.chance(0.35)) status = random.pick([500, 502, 503, 504]);
  else if (day.planted.errors?.service === service && random.chance(day.planted.errors.share))
    status = random.pick([500, 502, 503]);
  else if (day.incident && service === "payment-api" && random.chance(0.06)) status = 503;
  let ms = random.logNormal(median, 0.45);
  if (outage) ms *= 6;
  if (status === 504) ms = 30_000 + random.int(0, 500);
  return [format(t, "utc", random.chance(0.5)), random.pick(endpoints), status, Math.round(ms), service];
}

const PAGES = [
  ["/home", 850],
  ["/products", 950],
  ["/search", 780],
  ["/cart", 1050],
  ["/checkout", 1400],
  ["/account", 700],
] as const;

export function pageRow(day: ShopDay, random: Random, t: number, format: Format): (string | number)[] {
  const [url, median] = random.pick(PAGES);
  const planted = day.planted.slower?.url === url ? day.planted.slower.factor : 1;
  const slower = (url === "/checkout" && day.lastWeek ? 1.2 : 1) * planted;
  const ms = random.logNormal(median * slower, 0.35);
  return [url, format(t, "naive-space"), random.chance(0.2) ? ms.toFixed(1) : Math.round(ms)];
}

const CLICK_TARGETS = [
  ["homepage", ["search_bar", "promo_banner", "nav_menu", "product_image"]],
  ["product_page", ["add_to_cart_button", "product_image", "size_selector", "reviews_tab"]],
  ["search_results", ["filter_dropdown", "product_image", "sort_menu"]],
  ["cart_page", ["checkout_button", "remove_item", "apply_coupon"]],
  ["checkout_page", ["place_order_button", "payment_method", "edit_address"]],
] as const;

export function clickRow(random: Random, t: number, user: string, format: Format): (string | number)[] {
  const [page, elements] = random.weighted(CLICK_TARGETS.map((target, i) => [target, 5 - i] as const));
  return [user, format(t, "naive"), page, random.pick(elements)];
}

export function cartRow(random: Random, t: number, user: string, cartId: string, format: Format) {
  const items = random.weighted([
    [1, 30],
    [2, 25],
    [3, 18],
    [4, 12],
    [5, 8],
    [6, 7],
  ] as const) as number;
  let value = 0;
  for (let i = 0; i < items; i++) value += random.logNormal(38, 0.6);
  return [user, cartId, format(t, "naive"), items, value.toFixed(2)];
}

const JOURNEY_PAGES = ["home", "search", "product", "cart", "checkout"];

export function journeyRow(
  random: Random,
  t: number,
  ids: { user: string; session: string },
  format: Format,
) {
  const depth = random.weighted([
    [2, 20],
    [3, 30],
    [4, 20],
    [5, 30],
  ] as const) as number;
  const pages = ["home", ...(random.chance(0.4) ? ["search"] : []), ...JOURNEY_PAGES.slice(2)].slice(
    0,
    depth,
  );
  const completed = pages[pages.length - 1] === "checkout" && random.chance(0.55);
  const end = t + Math.round(random.logNormal(6, 0.6) * 60_000);
  const sequence = pages.join(random.chance(0.05) ? "  >  " : " > ");
  return [
    ids.session,
    ids.user,
    format(t, "naive"),
    format(end, "naive"),
    sequence,
    completed ? "none" : (pages.at(-1) ?? "home"),
  ];
}

const FEEDBACK = {
  negative: [
    "Checkout crashed after entering card details",
    "App froze during checkout",
    "Couldn't add product to cart",
    "Payment declined twice, very frustrating",
    "Page is slow and the search is broken",
    "Оплата не прошла, очень неудобно",
    "Η πληρωμή απέτυχε, πολύ αργή σελίδα",
  ],
  neutral: [
    "Nice design, a bit slow at payment",
    "Delivery was okay",
    "Average experience, nothing special",
    "Produit correct, livraison un peu lente",
    "",
  ],
  positive: [
    "Very fast loading, easy to use",
    "Smooth checkout, great prices",
    "Love the new search, found everything quickly",
    "Très pratique, livraison rapide, merci !",
    "Отличный магазин, всё быстро",
    "Πολύ καλή εμπειρία, γρήγορη παράδοση",
    'Great "express" delivery, arrived next day',
    "",
  ],
};

export function feedbackRow(day: ShopDay, random: Random, t: number, user: string, format: Format) {
  const rating = random.weighted([
    [1, day.lastWeek ? 12 : 8],
    [2, 10],
    [3, 15],
    [4, 30],
    [5, 35],
  ] as const) as number;
  const ratingClass = rating <= 2 ? "negative" : rating === 3 ? "neutral" : "positive";
  // Mostly text and rating agree; sometimes a shopper rates 5 and complains, or the reverse.
  const textClass = random.chance(0.88)
    ? ratingClass
    : random.pick(["negative", "neutral", "positive"] as const);
  return [user, format(t, "naive"), random.pick(FEEDBACK[textClass]), rating];
}

const SLA_HOURS: Record<Priority, number> = { urgent: 4, high: 24, normal: 72, low: 168 };
const CATEGORIES = ["payment", "delivery", "account", "product", "refund", "technical"];

export function ticketRow(
  day: ShopDay,
  random: Random,
  t: number,
  ids: { ticket: string; user: string; dataEnd: number },
  format: Format,
) {
  const priority = random.weighted<Priority>([
    ["low", 30],
    ["normal", 45],
    ["high", 18],
    ["urgent", 7],
  ]);
  const category = day.incident && random.chance(0.6) ? "payment" : random.pick(CATEGORIES);
  // Most tickets are solved well inside their SLA; a tail breaches it.
  const hours = random.logNormal(SLA_HOURS[priority] * 0.35, 0.9);
  const resolvedAt = t + Math.round(hours * 3_600_000);
  const open = random.chance(0.03) || resolvedAt >= ids.dataEnd;
  const written = random.chance(0.1) ? priority.toUpperCase() : priority;
  return [
    ids.ticket,
    format(t, "offset"),
    open ? "" : format(resolvedAt, "offset-compact"),
    category,
    written,
    ids.user,
    random.pick(["email", "chat", "phone"]),
    open ? "open" : "resolved",
    open || random.chance(0.4) ? "" : random.weighted([1, 2, 3, 4, 5].map((c) => [c, c] as const)),
  ];
}
