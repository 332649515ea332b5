import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallbackV1, SpoolDrops } from '../protocol/callback-schema.js';
import { writeFileDurably } from '../shared/atomic-file.js';
import type { Logger } from '../shared/logger.js';

/** Days of callbacks kept on disk while nobody answers; older ones go first: 14. */
export const defaultOfflineRetentionDays = 14;
/** Bytes the spool may hold whatever their age, a safety valve for a small disk: 256 MiB. */
export const defaultOfflineMaxBytes = 256 * 1024 * 1024;

const dayMillis = 24 * 60 * 60_000;
// Names start with the time the callback was spooled, zero-padded so names sort by age.
const stampDigits = 15;
const dropsFile = 'drops.json';
const recordPattern = /^(\d{15})-[0-9a-f-]{36}\.json$/;

export type SpoolDropReason = keyof SpoolDrops;

interface IndexEntry {
  name: string;
  bytes: number;
}

export interface CallbackSpoolOptions {
  dir: string;
  /** Days a callback is kept, counted from when it was spooled (default 14). */
  retentionDays?: number;
  /** Most bytes of callbacks kept; past it the oldest go (default 256 MiB). */
  maxBytes?: number;
  /** The time in epoch milliseconds; injected so tests can age the spool by hand. */
  nowMillis?: () => number;
  log?: Logger;
}

/**
 * Callbacks waiting to be acknowledged, one file each, on local disk. A callback is written
 * (and fsynced) before it is sent and removed only after a receiver acknowledges it, so a
 * crash or an outage loses nothing. While nobody answers, callbacks older than the retention
 * go first, then the oldest past the byte ceiling; every callback that goes is counted by
 * reason, and the counts are kept on disk so a restart does not forget them.
 */
export class CallbackSpool {
  readonly dir: string;
  readonly dropped: SpoolDrops = { agedOut: 0, overBytes: 0, damaged: 0, refusedByHub: 0 };
  private retentionMillis: number;
  private maxBytes: number;
  private readonly nowMillis: () => number;
  private lastStampMillis = 0;
  private index: IndexEntry[] | null = null;
  private indexBytes = 0;

  constructor(private readonly options: CallbackSpoolOptions) {
    this.dir = options.dir;
    this.retentionMillis = (options.retentionDays ?? defaultOfflineRetentionDays) * dayMillis;
    this.maxBytes = options.maxBytes ?? defaultOfflineMaxBytes;
    this.nowMillis = options.nowMillis ?? Date.now;
  }

  /**
   * Prepares the folder after a start: reads the drop counts, finishes or sets aside files a
   * crash left half written, and applies the retention.
   */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const saved = await readFile(join(this.dir, dropsFile), 'utf8').catch(() => null);
    const counts = parseDrops(saved);
    if (saved !== null && !counts) this.options.log?.warn('spool drop counts unreadable; reset');
    Object.assign(this.dropped, counts ?? {});
    for (const name of await readdir(this.dir)) {
      if (name.endsWith('.tmp')) await this.recoverTemporary(name);
    }
    await this.trim();
  }

  /** Writes a callback durably, then trims the spool to its retention and byte ceiling. */
  async add(callback: CallbackV1): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const index = await this.entries();
    // Strictly increasing stamps keep the order of callbacks spooled within one millisecond,
    // and after a restart on a clock that went back.
    const stampMillis = Math.max(this.nowMillis(), this.lastStampMillis + 1);
    this.lastStampMillis = stampMillis;
    const name = `${String(stampMillis).padStart(stampDigits, '0')}-${callback.callbackId}.json`;
    const json = JSON.stringify(callback);
    await writeFileDurably(join(this.dir, name), json);
    index.push({ name, bytes: Buffer.byteLength(json) });
    this.indexBytes += Buffer.byteLength(json);
    await this.trim();
  }

  /** New limits from a changed policy; they apply from the next trim. */
  setLimits(limits: { retentionDays?: number; maxBytes?: number }): void {
    this.retentionMillis = (limits.retentionDays ?? defaultOfflineRetentionDays) * dayMillis;
    this.maxBytes = limits.maxBytes ?? defaultOfflineMaxBytes;
  }

  /** Drops what is past the retention, then the oldest past the byte ceiling; counts both. */
  async trim(): Promise<void> {
    const index = await this.entries();
    const oldestKeptMillis = this.nowMillis() - this.retentionMillis;
    const aged = index.filter((entry) => stampOf(entry.name) < oldestKeptMillis);
    for (const { name } of aged) await this.remove(name);

    let overBytes = 0;
    // The newest callback always stays, even alone past the ceiling: it is the one to send.
    while (this.indexBytes > this.maxBytes && index.length > 1) {
      await this.remove(index[0]!.name);
      overBytes++;
    }
    // Not yet: a kill between removing files and writing their count loses that count (not
    // the callbacks, which were to go anyway); counting first would count them twice instead.
    if (aged.length > 0) await this.count('agedOut', aged.length);
    if (overBytes > 0) await this.count('overBytes', overBytes);
  }

  /** Waiting callbacks, oldest first. */
  async names(): Promise<string[]> {
    return (await this.entries()).map((entry) => entry.name);
  }

  /**
   * Waiting callbacks, newest first, read lazily from the spool's own list: removing or
   * setting aside the one just handed out does not disturb the walk.
   */
  async *newestFirst(): AsyncGenerator<string> {
    const index = await this.entries();
    for (let i = index.length - 1; i >= 0; i--) {
      const entry = index[i];
      if (entry) yield entry.name;
    }
  }

  /** Reads one; a file that is not a whole callback is set aside, counted, and null returned. */
  async read(name: string): Promise<CallbackV1 | null> {
    const text = await readFile(join(this.dir, name), 'utf8').catch(() => null);
    if (text === null) {
      this.forget(name); // gone already: nothing to send, nothing lost here
      return null;
    }
    const callback = recordPattern.test(name) ? parseCallback(text) : null;
    if (!callback) await this.setAside(name, 'damaged');
    return callback;
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
    this.forget(name);
  }

  /** Moves a callback the receivers will never take, or a damaged file, out of the queue. */
  async setAside(name: string, reason: 'damaged' | 'refusedByHub'): Promise<void> {
    const folder = join(this.dir, reason === 'damaged' ? 'damaged' : 'refused_by_hub');
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await rename(join(this.dir, name), join(folder, `${randomUUID()}-${name}`)).catch(
      () => undefined,
    );
    this.forget(name);
    await this.count(reason, 1);
  }

  // The folder is read once; after that the spool, its only writer, keeps the list itself,
  // so a spool of thousands of callbacks costs no directory scan per callback.
  private async entries(): Promise<IndexEntry[]> {
    if (this.index) return this.index;
    const all = await readdir(this.dir).catch(() => [] as string[]);
    const names = all.filter((name) => name.endsWith('.json') && name !== dropsFile).sort();
    const sizes = await Promise.all(
      names.map((name) =>
        stat(join(this.dir, name)).then(
          (found) => found.size,
          () => 0,
        ),
      ),
    );
    this.index = names.map((name, i) => ({ name, bytes: sizes[i]! }));
    this.indexBytes = sizes.reduce((sum, size) => sum + size, 0);
    for (const name of names) {
      const stampMillis = stampOf(name);
      if (Number.isFinite(stampMillis) && stampMillis > this.lastStampMillis)
        this.lastStampMillis = stampMillis;
    }
    return this.index;
  }

  private forget(name: string): void {
    const at = this.index?.findIndex((entry) => entry.name === name) ?? -1;
    if (at === -1) return;
    this.indexBytes -= this.index![at]!.bytes;
    this.index!.splice(at, 1);
  }

  private async count(reason: SpoolDropReason, howMany: number): Promise<void> {
    this.dropped[reason] += howMany;
    await writeFileDurably(join(this.dir, dropsFile), JSON.stringify(this.dropped));
    this.options.log?.warn(
      { reason, count: howMany, dropped: { ...this.dropped } },
      'callbacks dropped from the offline spool',
    );
  }

  // A crash between writing a temporary file and renaming it leaves the temporary behind:
  // whole, it is finished now; torn, it is set aside like any damaged record.
  private async recoverTemporary(name: string): Promise<void> {
    const target = name.replace(/\.\d+\.tmp$/, '');
    const text = await readFile(join(this.dir, name), 'utf8').catch(() => '');
    if (target === dropsFile) {
      await rm(join(this.dir, name), { force: true }); // the renamed copy, if any, is whole
    } else if (recordPattern.test(target) && parseCallback(text)) {
      await rename(join(this.dir, name), join(this.dir, target));
    } else {
      await this.setAside(name, 'damaged');
    }
  }
}

function stampOf(name: string): number {
  const match = recordPattern.exec(name);
  // A name the spool did not write has no age: it is kept until read, and set aside then.
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

/** The callback in a spool file, or null when the file is torn, empty or not a callback. */
function parseCallback(text: string): CallbackV1 | null {
  try {
    const value = JSON.parse(text) as Partial<CallbackV1> | null;
    const whole =
      value !== null &&
      typeof value === 'object' &&
      value.schema === 'strata.callback.v1' &&
      typeof value.callbackId === 'string';
    return whole ? (value as CallbackV1) : null;
  } catch {
    return null;
  }
}

function parseDrops(text: string | null): Partial<SpoolDrops> | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const counts: Partial<SpoolDrops> = {};
    for (const key of ['agedOut', 'overBytes', 'damaged', 'refusedByHub'] as const) {
      const count = value[key];
      if (Number.isSafeInteger(count) && (count as number) >= 0) counts[key] = count as number;
    }
    return counts;
  } catch {
    return null;
  }
}
