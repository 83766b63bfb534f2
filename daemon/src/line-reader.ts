/** Splits a byte stream into `\n`-terminated lines, as bytes (the control socket and the legacy
 *  protocol): a multi-byte character split across chunks is never mangled, and a legacy image line
 *  of tens of megabytes of base64 never needs to become a string. One partial line is held at
 *  most, and it may not grow past `maxBytes` (the bounded receive buffer). */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes of the line still being received. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Takes the line still being received out of the reader: the next byte starts a new line.
   *  Returns it (a peer that will never finish a line must not hold its bytes, nor glue them to
   *  its next line). */
  takePartial(): Buffer {
    const partial = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return partial;
  }

  /** The complete lines in `chunk` (without the `\n`), and `overflow` once a line is too long:
   *  the caller must then stop reading this peer, since the stream cannot be re-synchronised
   *  cheaply. */
  push(chunk: Buffer): { lines: Buffer[]; overflow: boolean } {
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.pendingBytes + piece.length > this.maxBytes) return { lines, overflow: true };
      lines.push(this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece);
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxBytes) return { lines, overflow: true };
      this.pending.push(rest);
    }
    return { lines, overflow: false };
  }
}
