import { z } from "zod";
import { isValidTimeZone } from "../time/timestamp.js";

/** Fields more than one part of the configuration uses (schema.ts, report-schema.ts). */

/** Names that become parts of file paths: they can never hold `/`, `..` or anything unusual. */
export const SLUG = /^[a-z0-9-]+$/;
export const slug = z
  .string()
  .regex(SLUG, "must be a simple name of a-z, 0-9 and - (it becomes part of a file path)");

export const timeZone = z
  .string()
  .refine(isValidTimeZone, { message: "not a known IANA time zone (e.g. Europe/Paris, UTC)" });

/** The codes this Node's Intl can format, so a configured currency always prints. */
