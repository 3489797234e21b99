import { createApiMetrics } from "./api.js";
import { createCartsMetrics } from "./carts.js";
import { createClicksMetrics } from "./clicks.js";
import { createFeedbackMetrics } from "./feedback.js";
import { createJourneysMetrics } from "./journeys.js";
import type { MetricContext, MetricModule } from "./module.js";
import { createPagesMetrics } from "./pages.js";
import { createSessionsMetrics } from "./sessions.js";
import { createSupportMetrics } from "./support.js";

/** Every metric module, made for one run's periods and configuration. */
export function createMetricModules(context: MetricContext): MetricModule[] {
  return [
    createSessionsMetrics(context),
    createApiMetrics(context),
    createPagesMetrics(context),
    createClicksMetrics(context),
    createCartsMetrics(context),
    createJourneysMetrics(context),
    createFeedbackMetrics(context),
    createSupportMetrics(context),
  ] as MetricModule[];
}
