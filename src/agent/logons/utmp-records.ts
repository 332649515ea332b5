/**
 * glibc's `struct utmp` records, as utmp (who is on now) and wtmp (every logon, logoff, boot
 * and shutdown) hold them. The layout is the same on 64- and 32-bit Linux.
 */

/** Size of one record in bytes. */
export const utmpRecordBytes = 384;

/** The record types the agent reads (ut_type). */
export const utmpType = {
  runLevel: 1,
  bootTime: 2,
  userProcess: 7,
  deadProcess: 8,
} as const;

const offsets = { type: 0, pid: 4, seconds: 340, micros: 344 };
const lineField = { start: 8, bytes: 32 };
const userField = { start: 44, bytes: 32 };
const hostField = { start: 76, bytes: 256 };

export interface UtmpRecord {
  type: number;
  pid: number;
  /** Terminal, `pts/0`, `tty1`, `:0`; `~` for boot and run-level records. */
  line: string;
  user: string;
  host: string;
  /** True when the name fills its 32 bytes and may have been cut. */
  userIsCut: boolean;
  /** When the record was written, epoch milliseconds; 0 when unset. */
  atMillis: number;
}

/** The records of a utmp or wtmp file; a trailing partial record is left out. */
export function parseUtmpRecords(bytes: Buffer): UtmpRecord[] {
  const records: UtmpRecord[] = [];
  const whole = bytes.length - (bytes.length % utmpRecordBytes);
  for (let offset = 0; offset < whole; offset += utmpRecordBytes) {
    const record = bytes.subarray(offset, offset + utmpRecordBytes);
    // Unsigned, so that the 32-bit field keeps working past 2038.
    const seconds = record.readUInt32LE(offsets.seconds);
    const micros = record.readInt32LE(offsets.micros);
    records.push({
      type: record.readInt16LE(offsets.type),
      pid: record.readInt32LE(offsets.pid),
      line: text(record, lineField),
      user: text(record, userField),
      host: text(record, hostField),
      userIsCut: !field(record, userField).includes(0),
      atMillis: seconds * 1_000 + Math.floor(Math.max(0, micros) / 1_000),
    });
  }
  return records;
}

function field(record: Buffer, { start, bytes }: { start: number; bytes: number }): Buffer {
  return record.subarray(start, start + bytes);
}

// A name cut inside a multi-byte character would end in a replacement character.
function text(record: Buffer, where: { start: number; bytes: number }): string {
  const bytes = field(record, where);
  const end = bytes.indexOf(0);
  const value = bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
  return value.replace(/\uFFFD+$/, '').trim();
}
