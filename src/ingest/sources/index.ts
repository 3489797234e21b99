import type { SourceName } from "../../types.js";
import type { SourceSpec } from "../source-spec.js";
import { apiSource } from "./api.js";
import { cartsSource } from "./carts.js";
import { clicksSource } from "./clicks.js";
import { feedbackSource } from "./feedback.js";
import { journeysSource } from "./journeys.js";
import { pagesSource } from "./pages.js";
import { sessionsSource } from "./sessions.js";
import { supportSource } from "./support.js";

/** Every source of docs/data-contract.md §1, by name. */
export const SOURCES: { [S in SourceName]: SourceSpec<S> } = {
  sessions: sessionsSource,
  api: apiSource,
  pages: pagesSource,
  clicks: clicksSource,
  carts: cartsSource,
  journeys: journeysSource,
  feedback: feedbackSource,
  support: supportSource,
};
