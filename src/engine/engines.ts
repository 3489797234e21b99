import type { Config } from "../config/schema.js";
import { ReportsError } from "../errors.js";
import type { Engine } from "./engine.js";
import { createFileEngine, fileEngineOptions } from "./files/file-engine.js";

/**
 * The engines a configuration can choose (`engine:`, or `--engine` on run and validate), each
 * made from the configuration. Adding one is its folder here and one line in this table.
 */
const ENGINES: Record<string, (config: Config) => Engine> = {
  files: (config) => createFileEngine(fileEngineOptions(config.data)),
};

export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINES);

/** The engine of this name, or a usage error (exit 2) naming the known ones; `where` says who asked. */
export function createEngine(name: string, config: Config, where = "engine"): Engine {
  const make = Object.hasOwn(ENGINES, name) ? ENGINES[name] : undefined;
  if (make === undefined)
    throw new ReportsError("usage", `${where} ${name}: no such engine (engines: ${ENGINE_NAMES.join(", ")})`);
  return make(config);
}
