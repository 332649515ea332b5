/**
 * Logons and logoffs from wtmp, read from where the previous callback stopped. A logoff is
 * matched to its logon by terminal, which gives the session's length; a boot or shutdown
 * record ends every session still open, as `last` shows them ("down", "crash").
 */
import { open, readFile, stat, writeFile } from 'node:fs/promises';

import { maxEventsPerCallback, type LogonEvent } from '../../protocol/callback-activity.js';
import { truncate } from '../sample-limits.js';
import { parseUtmpRecords, utmpRecordBytes, utmpType, type UtmpRecord } from './utmp-records.js';

/** Where glibc appends every logon, logoff, boot and shutdown. */
export const defaultWtmpPath = '/var/log/wtmp';

/** Most of wtmp read for one callback (about 10,900 records); the rest waits for the next. */
const readMaxBytes = 4 * 1024 * 1024;

/** How far into wtmp the agent has read, and the sessions open at that point. */
export interface WtmpPosition {
  inode: number;
  offsetBytes: number;
  open: Record<string, UtmpRecord>;
}

export interface WtmpReading {
  /** Logons and logoffs in file order, with the logon's record kept for naming. */
  events: Array<{ event: Omit<LogonEvent, 'account'>; record: UtmpRecord }>;
  /** Where the next reading starts once these events are safely spooled. */
  next: WtmpPosition;
}

/** Reads up to `maxEvents` events after `from` (default: the file's start). */
export async function readWtmp(
  path: string,
  from: WtmpPosition | null,
  maxEvents = maxEventsPerCallback,
): Promise<WtmpReading> {
  const info = await stat(path);
  // A rotated or truncated file starts over; sessions open before it stay open.
  const rotated = !from || from.inode !== info.ino || from.offsetBytes > info.size;
  const offsetBytes = rotated ? 0 : from.offsetBytes;
  const open = { ...(from?.open ?? {}) };
  const bytes = await readFrom(path, offsetBytes, Math.min(readMaxBytes, info.size - offsetBytes));

  const events: WtmpReading['events'] = [];
  let consumed = 0;
  for (const record of parseUtmpRecords(bytes)) {
    // Stop on a record boundary, so the rest waits for the next callback.
    if (events.length + Object.keys(open).length > maxEvents) break;
    consumed += utmpRecordBytes;
    const ended = (logon: UtmpRecord) =>
      events.push({ event: logoff(logon, record.atMillis), record: logon });
    if (record.type === utmpType.userProcess && record.user) {
      const earlier = open[record.line];
      if (earlier) ended(earlier);
      open[record.line] = record;
      events.push({ event: logon(record), record });
    } else if (record.type === utmpType.deadProcess && open[record.line]) {
      ended(open[record.line]!);
      delete open[record.line];
    } else if (record.type === utmpType.bootTime || record.user === 'shutdown') {
      for (const line of Object.keys(open)) ended(open[line]!);
      for (const line of Object.keys(open)) delete open[line];
    }
  }
  return { events, next: { inode: info.ino, offsetBytes: offsetBytes + consumed, open } };
}

/** The saved position, or null when there is none or it is unreadable. */
export async function loadWtmpPosition(path: string): Promise<WtmpPosition | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  try {
    return text ? (JSON.parse(text) as WtmpPosition) : null;
  } catch {
    return null; // A damaged position file means reading wtmp again from its start.
  }
}

export async function saveWtmpPosition(path: string, position: WtmpPosition): Promise<void> {
  await writeFile(path, JSON.stringify(position));
}

async function readFrom(path: string, offset: number, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, length));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function logon(record: UtmpRecord): Omit<LogonEvent, 'account'> {
  return {
    event: 'logon',
    at: new Date(record.atMillis).toISOString(),
    terminal: truncate(record.line),
    from: truncate(record.host),
    durationMillis: null,
    sessionMillis: null,
  };
}

function logoff(record: UtmpRecord, atMillis: number): Omit<LogonEvent, 'account'> {
  return {
    ...logon(record),
    event: 'logoff',
    at: new Date(atMillis).toISOString(),
    sessionMillis: Math.max(0, atMillis - record.atMillis),
  };
}
