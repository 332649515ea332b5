/**
 * The framing of browser native messaging: each message is a 32-bit length in the machine's
 * byte order (little-endian on every platform Strata runs on) followed by that many bytes of
 * UTF-8 JSON. Reads incrementally from a stream of chunks.
 */

/** Longest message the host takes from the extension: 64 KiB (reports are a few hundred bytes). */
export const maxMessageBytes = 64 * 1024;

export type FrameOutcome =
  { kind: 'message'; value: unknown } | { kind: 'rejected'; reason: 'oversized' | 'malformed' };

/** Splits chunks into messages; an oversized frame is skipped whole, not misread. */
export class FrameReader {
  #buffer = Buffer.alloc(0);
  #skipBytes = 0;

  /** The messages (and refusals) completed by `chunk`. */
  push(chunk: Buffer): FrameOutcome[] {
    const outcomes: FrameOutcome[] = [];
    let data = this.#buffer.length > 0 ? Buffer.concat([this.#buffer, chunk]) : chunk;
    if (this.#skipBytes > 0) {
      const skipped = Math.min(this.#skipBytes, data.length);
      this.#skipBytes -= skipped;
      data = data.subarray(skipped);
    }
    while (data.length >= 4) {
      const length = data.readUInt32LE(0);
      if (length > maxMessageBytes) {
        outcomes.push({ kind: 'rejected', reason: 'oversized' });
        const available = Math.min(length, data.length - 4);
        this.#skipBytes = length - available;
        data = data.subarray(4 + available);
        continue;
      }
      if (data.length < 4 + length) break;
      const text = data.subarray(4, 4 + length).toString('utf8');
      data = data.subarray(4 + length);
      try {
        outcomes.push({ kind: 'message', value: JSON.parse(text) });
      } catch {
        outcomes.push({ kind: 'rejected', reason: 'malformed' });
      }
    }
    this.#buffer = Buffer.from(data);
    return outcomes;
  }
}

/** One message as the host would send it to the extension. */
export function frame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}
