import { ReportsError } from "../errors.js";
import { createClickHouseEngine } from "./clickhouse/clickhouse-engine.js";
import type { Engine } from "./engine.js";
import { createFileEngine } from "./files/file-engine.js";

/**
 * The engines a configuration can choose (`engine:`, or `--engine` on run and validate). Adding
 * one is its folder here and one line in this table. An engine takes its settings from the
 * configuration each request carries (the file engine: `data.*`).
 */
const ENGINES: Record<string, () => Engine> = {
  files: createFileEngine,
  clickhouse: () => createClickHouseEngine(process.env),
};

export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINES);

/** The engine of this name, or a usage error (exit 2) naming the known ones. */
export function createEngine(name: string, where: EngineChoice = { option: "--engine" }): Engine {
  const make = Object.hasOwn(ENGINES, name) ? ENGINES[name] : undefined;
  if (make !== undefined) return make();
  const known = `(engines: ${ENGINE_NAMES.join(", ")})`;
  throw new ReportsError(
    "usage",
    "option" in where
      ? `${where.option} ${name}: no such engine ${known}`
      : `${where.file}: 1 problem:\n  engine: no such engine "${name}" ${known}`,
  );
}

/** Who chose the engine, for the error: a command-line option, or a configuration file's `engine:`. */
export type EngineChoice = { option: string } | { file: string };
