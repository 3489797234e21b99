import { parentPort, workerData } from "node:worker_threads";
import type { SourcePart } from "../../ingest/parts.js";
import { createCoverageCounter } from "../../metrics/coverage.js";
import { createMetricModules } from "../../metrics/modules.js";
import { packStates } from "../../metrics/transfer.js";
import { createTimestampParser } from "../../time/timestamp.js";
import type { SourceName } from "../../types.js";
import { readPartIntoStates } from "./part-reader.js";
import type { WorkerMessage, WorkerSetup } from "./thread-pool.js";

/**
 * A reading thread (see thread-pool.ts): takes one part at a time, reads it into fresh states of
 * its source's metric modules and posts back the part's result and the packed states. Progress
 * goes out about every 4 MB.
 */
const PROGRESS_BYTES = 4 * 1024 * 1024;

const port = parentPort;
if (port === null) throw new Error("[ingest:worker] worker.ts runs only as a worker thread");
const setup = workerData as WorkerSetup;
const parseTime = createTimestampParser(setup.timeZone);
const modules = setup.metrics === null ? [] : createMetricModules(setup.metrics);
const counter = setup.metrics === null ? null : createCoverageCounter(setup.metrics);
const post = (message: WorkerMessage) => port.postMessage(message);

port.on("message", ({ id, part }: { id: number; part: SourcePart }) => {
  let bytes = 0;
  let rows = 0;
  const flush = (source: SourceName) => {
    post({ type: "progress", source, bytes, rows });
    bytes = 0;
    rows = 0;
  };
  readPartIntoStates(
    part,
    modules,
    parseTime,
    (b, r) => {
      bytes += b;
      rows += r;
      if (bytes >= PROGRESS_BYTES) flush(part.source);
    },
    setup.spill,
    counter,
  ).then(
    ({ result, states, coverage }) => {
      flush(part.source);
      const readers = modules.filter((m) => m.source === part.source);
      post({ type: "done", id, result, states: packStates(readers, states), coverage });
    },
    (err: Error) => post({ type: "failed", id, message: err.message, stack: err.stack }),
  );
});
