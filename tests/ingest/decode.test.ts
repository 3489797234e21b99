import { describe, expect, it } from "vitest";
import { createUtf8Decoder } from "../../src/ingest/decode.js";

/** The ASCII shortcut decodes exactly as one TextDecoder over the whole input, however it is cut. */
describe("UTF-8 decoding with an ASCII shortcut", () => {
  it("matches a whole-input TextDecoder on 5000 random byte strings cut at random", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const pieces = [
      Buffer.from("plain ascii, 2026-11-10T08:00:00Z\n"),
      Buffer.from("café, Grüße, 日本, 😀"),
      Buffer.from([0xef, 0xbb, 0xbf]), // a BOM, kept wherever it is
      Buffer.from([0xc3]), // a sequence cut short
      Buffer.from([0xff, 0xfe]), // never valid
      Buffer.from([0xe6, 0x97]), // a three-byte sequence missing its last byte
    ];
    for (let i = 0; i < 5000; i++) {
      const parts: Buffer[] = [];
      for (let k = random(8); k >= 0; k--) parts.push(pieces[random(pieces.length)] as Buffer);
      const input = Buffer.concat(parts);
      const expected = new TextDecoder("utf-8", { ignoreBOM: true }).decode(input);
      const decoder = createUtf8Decoder();
      let text = "";
      let at = 0;
      while (at < input.length) {
        const next = Math.min(input.length, at + 1 + random(12));
        text += decoder.write(input.subarray(at, next));
        at = next;
      }
      text += decoder.end();
      expect(text, input.toString("hex")).toBe(expected);
    }
  });
});
