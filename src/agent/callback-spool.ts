import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallbackV1 } from '../protocol/callback-schema.js';
import { writeFileDurably } from '../shared/atomic-file.js';

/** Most callbacks kept on disk while no hub answers; past this the oldest go: 500. */
export const defaultMaxSpooledCallbacks = 500;

export type SpoolDropReason = 'spool_full' | 'damaged' | 'refused_by_hub';

/**
 * Callbacks waiting to be acknowledged, one file each, on local disk. A callback is written
 * (and fsynced) before it is sent and removed only after the hub acknowledges it, so a crash
 * or an outage loses nothing. Names sort oldest first.
 */
export class CallbackSpool {
  readonly dropped: Record<SpoolDropReason, number> = {
    spool_full: 0,
    damaged: 0,
    refused_by_hub: 0,
  };

  constructor(
    private readonly dir: string,
    private readonly maxCallbacks = defaultMaxSpooledCallbacks,
  ) {}

  async add(callback: CallbackV1): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${Date.now().toString().padStart(15, '0')}-${callback.callbackId}.json`;
    await writeFileDurably(join(this.dir, name), JSON.stringify(callback));
    const names = await this.names();
    for (const old of names.slice(0, Math.max(0, names.length - this.maxCallbacks))) {
      await rm(join(this.dir, old), { force: true });
      this.dropped.spool_full++;
    }
  }

  /** Waiting callbacks, oldest first. */
  async names(): Promise<string[]> {
    const all = await readdir(this.dir).catch(() => [] as string[]);
    return all.filter((name) => name.endsWith('.json')).sort();
  }

  /** Reads one; a file that does not parse is set aside (never silently lost) and null returned. */
  async read(name: string): Promise<CallbackV1 | null> {
    try {
      return JSON.parse(await readFile(join(this.dir, name), 'utf8')) as CallbackV1;
    } catch {
      await this.setAside(name, 'damaged');
      return null;
    }
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }

  /** Moves a callback the hub will never take, or a damaged file, out of the queue. */
  async setAside(name: string, reason: Exclude<SpoolDropReason, 'spool_full'>): Promise<void> {
    const folder = join(this.dir, reason);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await rename(join(this.dir, name), join(folder, `${randomUUID()}-${name}`)).catch(
      () => undefined,
    );
    this.dropped[reason]++;
  }
}
