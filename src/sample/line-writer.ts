import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";

/**
 * Appends lines to a file through a buffer, honouring back-pressure, so generating millions of
 * rows keeps memory flat.
 */
export interface LineWriter {
  line(text: string): Promise<void>;
  close(): Promise<void>;
}

const FLUSH_CHARS = 1 << 20;

export function createLineWriter(file: string): LineWriter {
  const stream: WriteStream = createWriteStream(file);
  let buffer = "";
  const flush = async () => {
    if (buffer === "") return;
    const ok = stream.write(buffer);
    buffer = "";
    if (!ok) await once(stream, "drain");
  };
  return {
    async line(text) {
      buffer += `${text}\n`;
      if (buffer.length >= FLUSH_CHARS) await flush();
    },
    async close() {
      await flush();
      stream.end();
      await once(stream, "finish");
    },
  };
}
