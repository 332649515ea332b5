import type { CallbackV1 } from '../protocol/callback-schema.js';
import { copyLine } from '../store/copy-text.js';
import {
  copiedTables,
  rowTables,
  type ReceivedCallback,
  type TableRows,
} from './callback-tables.js';

/** Builds every table's COPY input for callbacks not stored yet. */
export function callbackRows(
  fresh: readonly ReceivedCallback[],
  machineOf: (agentId: string) => string,
  nowMillis: number,
): TableRows[] {
  const text = Object.fromEntries(copiedTables.map((table) => [table, ''])) as Record<
    keyof typeof rowTables,
    string
  >;
  const counts = Object.fromEntries(copiedTables.map((table) => [table, 0])) as Record<
    keyof typeof rowTables,
    number
  >;
  const add = (table: keyof typeof rowTables, line: string) => {
    text[table] += line;
    counts[table]++;
  };

  for (const received of fresh) {
    const { callback: c } = received;
    const machine = machineOf(received.agentId);
    const id = c.callbackId;
    const at = c.sampledAt;
    const receivedAt = new Date(received.receivedAtMillis ?? nowMillis).toISOString();
    add(
      'callbacks',
      copyLine([
        id,
        machine,
        received.agentId,
        received.collectorId,
        at,
        receivedAt,
        c.processes.length,
      ]),
    );
    const disks = diskTotals(c);
    const memory = c.machine.memory;
    add(
      'machine_samples',
      copyLine([
        machine,
        at,
        id,
        c.cpuPercent,
        c.load1,
        Math.round(memory.totalBytes),
        Math.round(memory.usedBytes),
        disks.sizeBytes,
        disks.usedBytes,
      ]),
    );
    for (const p of c.processes) {
      add(
        'process_samples',
        copyLine([
          machine,
          at,
          id,
          p.pid,
          p.parentPid,
          p.name,
          p.command,
          p.account,
          p.cpuPercent,
          Math.round(p.memoryRssBytes),
          p.startedAt,
        ]),
      );
    }
    for (const n of c.connections ?? []) {
      const { protocol, localAddress, localPort, remoteAddress, remotePort, state } = n;
      const fields = [protocol, localAddress, localPort, remoteAddress, remotePort, state];
      add(
        'connection_samples',
        copyLine([machine, at, id, ...fields, n.pid ?? null, n.account ?? '']),
      );
    }
    for (const l of c.logons ?? []) {
      add(
        'logon_events',
        copyLine([machine, id, l.at, l.account, l.event, l.terminal, l.from, l.durationMillis]),
      );
    }
    for (const e of c.applicationEvents ?? []) {
      add(
        'application_events',
        copyLine([machine, id, e.at, e.event, e.application, e.pid, e.account, e.durationMillis]),
      );
    }
  }

  return copiedTables
    .filter((table) => counts[table] > 0)
    .map((table) => ({
      table,
      columns: rowTables[table],
      text: text[table],
      count: counts[table],
    }));
}

/** Whole-machine disk figures, each device counted once however many mounts it has. */
export function diskTotals(callback: CallbackV1) {
  const byDevice = new Map<string, { sizeBytes: number; usedBytes: number }>();
  for (const disk of callback.disks) byDevice.set(disk.device || disk.mount, disk);
  let sizeBytes = 0;
  let usedBytes = 0;
  for (const disk of byDevice.values()) {
    sizeBytes += disk.sizeBytes;
    usedBytes += disk.usedBytes;
  }
  return { sizeBytes: Math.round(sizeBytes), usedBytes: Math.round(usedBytes) };
}
