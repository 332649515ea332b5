import type { CallbackV1 } from '../../protocol/callback-schema.js';

/** Most callbacks kept parsed between intake and drain: 1,000 (some 60 MB of heap). */
const maxParsedCallbacks = 1_000;

export interface ParsedCallback {
  agentId: string;
  callback: CallbackV1;
  receivedAtMillis: number;
}

/**
 * Callbacks intake has just parsed and queued, kept in memory by their place in the queue so
 * the drainer need not parse them again. Only a shortcut: the queue on disk stays the truth,
 * and whatever is not here (after a restart, or past the cap) is read back from it.
 */
export class ParsedCallbacks {
  private readonly byPosition = new Map<string, ParsedCallback>();

  put(segment: number, end: number, parsed: ParsedCallback): void {
    if (this.byPosition.size < maxParsedCallbacks) this.byPosition.set(`${segment}:${end}`, parsed);
  }

  /** The parsed callback queued at this place, handed out once. */
  take(segment: number, end: number): ParsedCallback | undefined {
    const key = `${segment}:${end}`;
    const parsed = this.byPosition.get(key);
    this.byPosition.delete(key);
    return parsed;
  }
}
