import { z } from "zod";
import { isValidTimeZone } from "../ingest/timestamp.js";
import { SOURCE_NAMES } from "../types.js";

/**
 * The configuration's shape, defaults and rules. Parsing is pure (no file or environment access):
 * `load.ts` reads the file and the environment at the edge and hands the object here.
 */

/** Names that become parts of file paths: they can never hold `/`, `..` or anything unusual. */
export const SLUG = /^[a-z0-9-]+$/;
const slug = z
  .string()
  .regex(SLUG, "must be a simple name of a-z, 0-9 and - (it becomes part of a file path)");

const timeZone = z
  .string()
  .refine(isValidTimeZone, { message: "not a known IANA time zone (e.g. Europe/Paris, UTC)" });

const sourcePatterns = z.strictObject(
  Object.fromEntries(SOURCE_NAMES.map((name) => [name, z.string().min(1).optional()])) as {
    [K in (typeof SOURCE_NAMES)[number]]: z.ZodOptional<z.ZodString>;
  },
);

const audience = z.strictObject({
  /** Shown on the report's cover and in its metadata. */
  title: z.string().min(1),
  /** Template file name under templates/ (without extension); the audience's own name by default. */
  template: slug.optional(),
});

export const DEFAULT_AUDIENCES = {
  managers: { title: "Weekly business report" },
  ux: { title: "User experience report" },
  it: { title: "Reliability report" },
  support: { title: "Support report" },
};

export const configSchema = z.strictObject({
  /** IANA zone for naive timestamps and period boundaries. */
  timezone: timeZone.default("UTC"),
  data: z
    .strictObject({
      /** Where the source files are, relative to the configuration file. */
      dir: z.string().min(1).default("data"),
      /** Per source: a file, a directory or a glob, relative to `dir`. */
      sources: sourcePatterns.prefault({}),
      /**
       * Largest share of rejected rows a source may have before the run fails (0.05 = 5 %). A share
       * equal to the limit passes.
       */
      reject_limit: z.number().min(0).max(1).default(0.05),
    })
    .prefault({}),
  output: z
    .strictObject({
      /** Where `<period>/` folders go, relative to the configuration file. */
      dir: z.string().min(1).default("out"),
      page_size: z.enum(["A4", "Letter"]).default("A4"),
    })
    .prefault({}),
  audiences: z.record(slug, audience).default(DEFAULT_AUDIENCES),
});

export type Config = z.infer<typeof configSchema>;
export type AudienceConfig = Config["audiences"][string];
