/**
 * The logons and logoffs a callback carries: what wtmp gained since the last callback that
 * was safely spooled, named like the rest of the sample and, for logons whose session is still
 * running, with the phases of their delay. The read position survives restarts in a file.
 */
import type { LogonEvent } from '../../protocol/callback-activity.js';
import type { AccountNamer } from '../account-names.js';
import { accountOf } from '../session-list.js';
import { accountMaxChars, truncate } from '../sample-limits.js';
import { readLogonPhases, type PhaseSources } from './logind-phases.js';
import {
  defaultWtmpPath,
  loadWtmpPosition,
  readWtmp,
  saveWtmpPosition,
  type WtmpPosition,
} from './wtmp-logons.js';

/** Longest logon delay the callback schema takes (24 hours). */
const delayMaxMillis = 86_400_000;

export class LogonTracker {
  #position: WtmpPosition | null = null;
  #loaded = false;
  /** Where the last read stopped; kept once its events are spooled. */
  #pending: WtmpPosition | null = null;

  /** `statePath` keeps the read position; null keeps it in memory only. */
  constructor(
    private readonly statePath: string | null,
    private readonly wtmpPath = defaultWtmpPath,
    private readonly phaseSources: Partial<PhaseSources> = {},
  ) {}

  /** New events since the last `markSent`; none when wtmp is missing or unreadable. */
  async read(namer: AccountNamer, bootedAtMillis: number | null): Promise<LogonEvent[]> {
    if (!this.#loaded && this.statePath) this.#position = await loadWtmpPosition(this.statePath);
    this.#loaded = true;
    const reading = await readWtmp(this.wtmpPath, this.#position).catch(() => null);
    this.#pending = reading?.next ?? null;
    if (!reading) return [];

    const sources = { bootedAtMillis, ...this.phaseSources };
    const events = await Promise.all(
      reading.events.map(async ({ event, record }): Promise<LogonEvent> => {
        const account = truncate(await accountOf(record, namer), accountMaxChars);
        if (event.event !== 'logon') return { ...event, account };
        const phases = await readLogonPhases(record, sources);
        if (phases.length === 0) return { ...event, account };
        // The delay is what the person waited for: every phase the platform exposed.
        const total = phases.reduce((sum, phase) => sum + phase.millis, 0);
        const durationMillis = Math.min(total, delayMaxMillis);
        return { ...event, account, phases, durationMillis };
      }),
    );
    return events.filter((e) => e.account);
  }

  /** Records that the last read's events are spooled (`sent`), so they are not read again;
   * a callback that went without them (the read ran late) leaves the position where it was. */
  async markSent(sent: boolean): Promise<void> {
    const next = this.#pending;
    if (!next || !sent) return;
    this.#position = next;
    this.#pending = null;
    // A lost position file means wtmp is read again from its start after a restart.
    if (this.statePath) await saveWtmpPosition(this.statePath, next).catch(() => {});
  }
}
