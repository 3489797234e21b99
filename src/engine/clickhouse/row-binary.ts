/**
 * ClickHouse's RowBinary format, for inserting rows: every value in its column's binary form,
 * one row after the other. Doubles go as their eight bytes (exact, where decimal text is not on
 * the servers we test), strings as a LEB128 length and UTF-8 bytes, Nullable as a 0/1 byte first.
 */

export type BinaryType =
  | "Float64"
  | "UInt8"
  | "UInt16"
  | "UInt32"
  | "UInt64"
  | "String"
  | "Nullable(Float64)"
  | "Nullable(UInt8)"
  | "Nullable(String)";

export class RowBinaryWriter {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private length = 0;
  rows = 0;

  get bytes(): number {
    return this.length;
  }

  /** Writes one value of `type`; a null goes only to a Nullable column. */
  write(type: BinaryType, value: number | string | null): void {
    if (type.startsWith("Nullable(")) {
      this.ensure(1);
      if (value === null) {
        this.buffer[this.length++] = 1;
        return;
      }
      this.buffer[this.length++] = 0;
      this.write(type.slice(9, -1) as BinaryType, value);
      return;
    }
    if (value === null) throw new TypeError(`RowBinaryWriter: null in a ${type} column`);
    switch (type) {
      case "Float64":
        this.ensure(8);
        this.length = this.buffer.writeDoubleLE(value as number, this.length);
        return;
      case "UInt8":
        this.ensure(1);
        this.length = this.buffer.writeUInt8(value as number, this.length);
        return;
      case "UInt16":
        this.ensure(2);
        this.length = this.buffer.writeUInt16LE(value as number, this.length);
        return;
      case "UInt32":
        this.ensure(4);
        this.length = this.buffer.writeUInt32LE(value as number, this.length);
        return;
      case "UInt64": {
        // Safe integers only (load ids, counts): the low and the high 32 bits.
        const n = value as number;
        this.ensure(8);
        this.length = this.buffer.writeUInt32LE(n % 2 ** 32, this.length);
        this.length = this.buffer.writeUInt32LE(Math.floor(n / 2 ** 32), this.length);
        return;
      }
      default:
        this.writeString(value as string);
    }
  }

  endRow(): void {
    this.rows += 1;
  }

  /** The rows written so far; the writer starts again empty. */
  take(): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, this.length));
    this.length = 0;
    this.rows = 0;
    return out;
  }

  private writeString(text: string): void {
    const size = Buffer.byteLength(text);
    this.ensure(size + 10);
    let n = size;
    while (n >= 0x80) {
      this.buffer[this.length++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buffer[this.length++] = n;
    this.length += this.buffer.write(text, this.length);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
