import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { ReportsError } from "../errors.js";
import { type Config, configSchema } from "./schema.js";

export interface ParseResult {
  config: Config | null;
  /** Every problem, each as `key.path: message`. */
  errors: string[];
}

/** Keys that would hold a secret; secrets come from the environment only. */
const SECRET_KEY = /^(password|pass|secret|token|api_key)$/i;

/** Pure: a parsed YAML value → the typed configuration, or every problem at once. */
export function parseConfig(raw: unknown): ParseResult {
  const errors = findSecrets(raw, []);
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) return { config: null, errors: [...errors, ...result.error.issues.map(formatIssue)] };
  return errors.length > 0 ? { config: null, errors } : { config: result.data, errors };
}

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or null when none exists and the defaults apply. */
  file: string | null;
  /** Directory that relative paths in the file are resolved against. */
  baseDir: string;
}

/**
 * Reads and validates the configuration file. With no explicit path, `reports.config.yaml` in the
 * current directory is used when present, else the defaults. Throws a usage error listing every
 * problem with its key path (and YAML syntax errors with line and column).
 */
export async function loadConfig(explicitPath?: string): Promise<LoadedConfig> {
  const file = path.resolve(explicitPath ?? "reports.config.yaml");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && explicitPath === undefined) {
      return { config: parseConfig({}).config as Config, file: null, baseDir: process.cwd() };
    }
    throw new ReportsError("usage", `${file}: cannot read the configuration: ${(err as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return at ? `line ${at.line}, column ${at.col}: ${e.message.split("\n")[0]}` : e.message;
    });
    throw configError(file, lines);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // The yaml package refuses aliases that expand past a limit (an "alias bomb").
    throw configError(file, [(err as Error).message]);
  }
  const { config, errors } = parseConfig(raw);
  if (config === null) throw configError(file, errors);
  return { config, file, baseDir: path.dirname(file) };
}

// ---------------------------------------------------------------------------------------------

function configError(file: string, problems: string[]): ReportsError {
  const noun = problems.length === 1 ? "problem" : "problems";
  return new ReportsError("usage", `${file}: ${problems.length} ${noun}:\n  ${problems.join("\n  ")}`);
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.length > 0 ? keyPath(issue.path) : "(top level)";
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown key`).join("\n  ");
  }
  if (issue.code === "invalid_key") return `${at}: ${issue.issues[0]?.message ?? issue.message}`;
  return `${at}: ${issue.message}`;
}

/** `audiences.it.title`; a key that is not a plain name is quoted: `audiences["../x"]`. */
function keyPath(path: PropertyKey[]): string {
  return path
    .map((key, i) => {
      const text = String(key);
      if (/^[A-Za-z0-9_-]+$/.test(text)) return i === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join("");
}

function findSecrets(value: unknown, at: string[]): string[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = [...at, key];
    if (SECRET_KEY.test(key)) {
      return [
        `${keyPath(here)}: secrets are read from the environment (e.g. SMTP_PASSWORD), never from this file`,
      ];
    }
    return findSecrets(inner, here);
  });
}
