import { isAscii } from "node:buffer";

/**
 * UTF-8 decoding of a file's bytes, chunk by chunk. A chunk of pure ASCII (nearly every chunk of
 * a log file) is taken as it is, about twice as fast as decoding it; the decoder takes the rest,
 * and bytes that are not valid UTF-8 become U+FFFD (which the readers then reject). The ASCII
 * shortcut is taken only while the decoder holds no unfinished sequence: a chunk that ends in
 * an ASCII byte leaves none. A BOM is kept: the readers drop it at the start of a file only.
 */
export function createUtf8Decoder(): { write(chunk: Buffer): string; end(): string } {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let idle = true;
  return {
    write(chunk) {
      if (chunk.length === 0) return "";
      if (idle && isAscii(chunk)) return chunk.toString("latin1");
      const text = decoder.decode(chunk, { stream: true });
      idle = (chunk[chunk.length - 1] as number) < 0x80;
      return text;
    },
    end: () => decoder.decode(),
  };
}
