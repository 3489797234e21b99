import path from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import type { Engine } from "../engine/engine.js";
import { createEngine, type EngineChoice } from "../engine/engines.js";
import { ReportsError } from "../errors.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../render/templates/load.js";
import type { Template } from "../render/templates/schema.js";
import { isValidTimeZone } from "../time/timestamp.js";

/** Options every data command shares. */
export interface DataOptions {
  config?: string;
  data?: string;
  out?: string;
  timezone?: string;
  /** Reading threads: "auto" or a count (overrides data.workers). */
  workers?: string;
  /** The engine (overrides `engine`). */
  engine?: string;
}

export interface CommandContext {
  loaded: LoadedConfig;
  dataDir: string;
  outDir: string;
  timeZone: string;
  templatesDir: string;
  /** The engine's name, from --engine or the configuration's `engine` (files by default). */
  engineName: string;
  /** Who chose it, for the error when there is no such engine. */
  engineChoice: EngineChoice;
}

/**
 * Loads the configuration and applies command-line overrides. Paths from the file are relative
 * to the file; paths from the command line are relative to the current directory.
 */
export async function commandContext(options: DataOptions): Promise<CommandContext> {
  const loaded = await loadConfig(options.config);
  const { config, baseDir } = loaded;
  const timeZone = options.timezone ?? config.timezone;
  if (!isValidTimeZone(timeZone)) {
    throw new ReportsError(
      "usage",
      `--timezone ${timeZone}: not a known IANA time zone (e.g. Europe/Paris, UTC)`,
    );
  }
  if (options.workers !== undefined) config.data.workers = parseWorkers(options.workers);
  return {
    loaded,
    engineName: options.engine ?? config.engine,
    engineChoice:
      options.engine !== undefined || loaded.file === null
        ? { option: "--engine" }
        : { file: shownPath(loaded.file) },
    dataDir: options.data ? path.resolve(options.data) : path.resolve(baseDir, config.data.dir),
    outDir: options.out ? path.resolve(options.out) : path.resolve(baseDir, config.output.dir),
    timeZone,
    templatesDir: config.templates_dir ? path.resolve(baseDir, config.templates_dir) : BUNDLED_TEMPLATES,
  };
}

/** The engine the command reads through; an unknown name is a usage error (exit 2) naming the known ones. */
export function chosenEngine(context: CommandContext): Engine {
  return createEngine(context.engineName, context.engineChoice);
}

/**
 * Every configured audience's template, checked (metric IDs, columns, charts) before any data is
 * read; every problem of every template is listed at once.
 */
export function audienceTemplates(context: CommandContext): Promise<Map<string, Template>> {
  const { config } = context.loaded;
  return loadTemplates(
    context.templatesDir,
    config.audiences,
    config.funnel.steps.map((s) => s.name),
  );
}

/** A path as the user would type it: relative to the current directory when inside it. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === "" ? "." : relative.startsWith("..") ? file : relative;
}

function parseWorkers(value: string): "auto" | number {
  if (value === "auto") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new ReportsError("usage", `--workers ${value}: expected "auto" or a whole number from 1 to 64`);
  return n;
}
