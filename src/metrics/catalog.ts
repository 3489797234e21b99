/**
 * What each metric ID means to a reader: a label, a unit, and which direction is good. Findings
 * phrase changes with it; reports colour KPI deltas with it.
 */

export type { Unit } from "../types.js";

import type { Unit } from "../types.js";

export interface MetricInfo {
  label: string;
  unit: Unit;
  /** Which way is good news; null when neither (a count of requests, a name). */
  better: "up" | "down" | null;
}

const info = (label: string, unit: Unit, better: MetricInfo["better"] = null): MetricInfo => ({
  label,
  unit,
  better,
});
const tableOf = (label: string): MetricInfo => info(label, "table");

const CATALOG: Record<string, MetricInfo> = {
  "sessions.count": info("Sessions", "count", "up"),
  "sessions.users": info("Shoppers", "count", "up"),
  "sessions.users_multi_session": info("Returning shoppers", "count", "up"),
  "sessions.events": info("Session events", "count"),
  "funnel.viewed_product": info("Sessions viewing a product", "count", "up"),
  "funnel.added_to_cart": info("Sessions adding to cart", "count", "up"),
  "funnel.viewed_cart": info("Sessions going to the cart", "count", "up"),
  "funnel.checkout_started": info("Checkouts started", "count", "up"),
  "funnel.order_placed": info("Orders placed", "count", "up"),
  "funnel.conversion": info("Checkout conversion", "rate", "up"),
  "funnel.steps": tableOf("Funnel steps"),
  "funnel.time_to_convert_median_s": info("Median time to order", "seconds", "down"),
  "funnel.loss_reasons": tableOf("Why shoppers did not order"),
  "funnel.step_details": tableOf("Funnel drop-off and timing by step"),
  "funnel.largest_drop_step": info("Step losing most shoppers", "name"),
  "funnel.largest_drop_sessions": info("Sessions lost at that step", "count", "down"),
  "funnel.lost_revenue": info("Value of abandoned carts", "money", "down"),
  "sessions.error_messages": tableOf("Error messages shown"),
  "sessions.search_terms": tableOf("Search terms"),
  "api.requests": info("API requests", "count"),
  "api.errors": info("API errors", "count", "down"),
  "api.client_errors": info("API client errors (4xx)", "count", "down"),
  "api.server_errors": info("API server errors (5xx)", "count", "down"),
  "api.error_rate": info("API error rate", "rate", "down"),
  "api.availability": info("API availability", "rate", "up"),
  "api.latency_mean_ms": info("API mean latency", "ms", "down"),
  "api.latency_p50_ms": info("API median latency", "ms", "down"),
  "api.latency_p95_ms": info("API p95 latency", "ms", "down"),
  "api.latency_p99_ms": info("API p99 latency", "ms", "down"),
  "api.by_service": tableOf("API by service"),
  "api.by_endpoint": tableOf("API by endpoint"),
  "api.slowest_service": info("Slowest service", "name"),
  "api.status_codes": tableOf("Status codes"),
  "api.hourly": tableOf("Requests and errors by hour"),
  "api.daily_by_service": tableOf("Requests and 5xx by day and service"),
  "pages.loads": info("Page loads", "count"),
  "pages.load_mean_ms": info("Mean page load", "ms", "down"),
  "pages.load_p75_ms": info("Page load p75", "ms", "down"),
  "pages.by_url": tableOf("Page loads by URL"),
  "pages.slowest_url": info("Slowest page", "name"),
  "clicks.total": info("Clicks", "count"),
  "clicks.users": info("Clicking users", "count", "up"),
  "clicks.per_user_mean": info("Clicks per user", "ratio"),
  "clicks.by_page": tableOf("Clicks by page"),
  "clicks.by_element": tableOf("Clicks by element"),
  "clicks.by_user": tableOf("Clicks by user"),
  "clicks.top_element": info("Most clicked element", "name"),
  "carts.abandoned": info("Abandoned carts", "count", "down"),
  "carts.items_mean": info("Items per abandoned cart", "ratio"),
  "carts.value_mean": info("Mean abandoned cart value", "money", "down"),
  "carts.value_lost": info("Value of abandoned carts", "money", "down"),
  "carts.max_value": info("Largest abandoned cart", "record"),
  "carts.by_user": tableOf("Abandoned carts by user"),
  "journeys.sessions": info("Tracked journeys", "count"),
  "journeys.duration_mean_min": info("Mean journey duration", "minutes"),
  "journeys.duration_median_min": info("Median journey duration", "minutes"),
  "journeys.completion_rate": info("Journey completion", "rate", "up"),
  "journeys.drop_offs": tableOf("Journey drop-off pages"),
  "journeys.top_paths": tableOf("Most common journeys"),
  "feedback.responses": info("Feedback responses", "count"),
  "feedback.rating_mean": info("Mean rating", "rating", "up"),
  "feedback.ratings": tableOf("Ratings"),
  "feedback.text_classes": tableOf("Feedback tone"),
  "feedback.mismatches": info("Rating and text disagree", "count", "down"),
  "feedback.mismatch_rate": info("Share where rating and text disagree", "rate", "down"),
  "feedback.mismatch_examples": tableOf("Comments whose tone disagrees with their rating"),
  "feedback.negative_themes": tableOf("Themes of negative feedback"),
  "support.created": info("Tickets created", "count", "down"),
  "support.resolved": info("Tickets resolved", "count", "up"),
  "support.backlog": info("Open tickets (backlog)", "count", "down"),
  "support.resolution_median_h": info("Median resolution time", "hours", "down"),
  "support.resolution_p90_h": info("p90 resolution time", "hours", "down"),
  "support.sla_breaches": info("SLA breaches", "count", "down"),
  "support.by_category": tableOf("Tickets by category"),
  "support.csat_mean": info("Mean CSAT", "rating", "up"),
  "support.by_priority": tableOf("Tickets and SLA by priority"),
};

/** The reader's view of a metric ID; a configured funnel step gets one made from its name. */
export function metricInfo(id: string): MetricInfo {
  const known = CATALOG[id];
  if (known !== undefined) return known;
  if (id.startsWith("funnel.")) {
    const step = id.slice("funnel.".length).replaceAll("_", " ");
    return info(`Sessions: ${step}`, "count", "up");
  }
  throw new Error(`[metrics:catalog] unknown metric ID ${id}`);
}

/** The columns of every table metric, in order: what templates may show and chart. */
export const TABLE_COLUMNS: Record<string, readonly string[]> = {
  "funnel.steps": ["step", "sessions", "rate_from_previous", "dropped"],
  "funnel.loss_reasons": ["reason", "sessions"],
  "funnel.step_details": ["step", "sessions", "dropped", "drop_share", "median_s", "p90_s"],
  "sessions.error_messages": ["path", "message", "sessions"],
  "sessions.search_terms": ["term", "count"],
  "api.by_service": ["service", "requests", "errors", "error_rate", "mean_ms", "p50_ms", "p95_ms", "p99_ms"],
  "api.by_endpoint": [
    "endpoint",
    "requests",
    "errors",
    "error_rate",
    "mean_ms",
    "p50_ms",
    "p95_ms",
    "p99_ms",
  ],
  "api.status_codes": ["status_code", "count"],
  "api.hourly": ["hour", "requests", "errors"],
  "api.daily_by_service": ["day", "service", "requests", "server_errors", "server_error_rate"],
  "pages.by_url": ["url", "loads", "mean_ms", "p50_ms", "p75_ms", "p95_ms"],
  "clicks.by_page": ["page", "clicks"],
  "clicks.by_element": ["element", "clicks"],
  "clicks.by_user": ["user_id", "clicks"],
  "carts.by_user": ["user_id", "carts"],
  "journeys.drop_offs": ["page", "sessions"],
  "journeys.top_paths": ["path", "sessions"],
  "feedback.ratings": ["rating", "count"],
  "feedback.text_classes": ["class", "count"],
  "feedback.mismatch_examples": ["rating", "rating_class", "text_class", "text"],
  "feedback.negative_themes": ["theme", "responses"],
  "support.by_category": ["category", "tickets"],
  "support.by_priority": [
    "priority",
    "sla_h",
    "created",
    "resolved",
    "backlog",
    "breaches",
    "resolution_median_h",
    "resolution_p90_h",
  ],
};

/** Is this metric ID known (a catalog ID, a project ID, or a configured funnel step)? */
export function isKnownMetric(id: string, funnelSteps: readonly string[]): boolean {
  return id in CATALOG || funnelSteps.some((step) => id === `funnel.${step}`);
}

/** Columns of tables that hold names or text, never a number. */
export const TEXT_COLUMNS: ReadonlySet<string> = new Set([
  "step",
  "reason",
  "path",
  "message",
  "term",
  "service",
  "endpoint",
  "hour",
  "day",
  "url",
  "page",
  "element",
  "user_id",
  "class",
  "text",
  "rating_class",
  "text_class",
  "theme",
  "category",
  "priority",
]);
