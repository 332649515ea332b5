import type { CallbackV1 } from '../protocol/callback-schema.js';
import { copyField, copyLine } from '../store/copy-text.js';
import {
  copiedTables,
  rowTables,
  type ReceivedCallback,
  type TableRows,
} from './callback-tables.js';

/**
 * One callback's COPY lines, table by table in `copiedTables` order: `text[i]` holds every line
 * for `copiedTables[i]`, `counts[i]` how many. Built once, possibly before the transaction that
 * loads it, and joined with the other callbacks of its batch then.
 */
export interface CallbackRowText {
  text: string[];
  counts: number[];
}

/** Builds every table's COPY input for callbacks not stored yet. */
export function callbackRows(
  fresh: readonly ReceivedCallback[],
  machineOf: (agentId: string) => string,
  nowMillis: number,
): TableRows[] {
  return joinCallbackRows(
    fresh.map((received) => callbackRowText(received, machineOf(received.agentId), nowMillis)),
  );
}

/** The tables' COPY input for a batch, from its callbacks' own lines, in batch order. */
export function joinCallbackRows(callbacks: readonly CallbackRowText[]): TableRows[] {
  const tables: TableRows[] = [];
  copiedTables.forEach((table, index) => {
    let count = 0;
    const parts: string[] = [];
    for (const rows of callbacks) {
      if (rows.counts[index] === 0) continue;
      parts.push(rows.text[index]!);
      count += rows.counts[index]!;
    }
    if (count > 0) tables.push({ table, columns: rowTables[table], text: parts.join(''), count });
  });
  return tables;
}

/** One callback's COPY lines for every table it adds rows to. */
export function callbackRowText(
  received: ReceivedCallback,
  machine: string,
  nowMillis: number,
): CallbackRowText {
  const lines = Object.fromEntries(copiedTables.map((table) => [table, [] as string[]])) as Record<
    keyof typeof rowTables,
    string[]
  >;
  const { callback: c } = received;
  const receivedAt = new Date(received.receivedAtMillis ?? nowMillis).toISOString();
  const { callbackId: id, sampledAt: at } = c;
  lines.callbacks.push(
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
  lines.machine_samples.push(
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
  // Most rows are processes and connections: built by hand, sharing the columns they repeat.
  // Ids and times passed the schema (uuid, date-time), and JSON numbers are always finite:
  // none can hold a character COPY must escape. Free text goes through copyField.
  const sample = `${machine}\t${at}\t${id}\t`;
  for (const p of c.processes) {
    lines.process_samples.push(
      `${sample}${p.pid}\t${p.parentPid}\t${copyField(p.name)}\t${copyField(p.command)}\t` +
        `${copyField(p.account)}\t${p.cpuPercent}\t${Math.round(p.memoryRssBytes)}\t` +
        `${p.startedAt ?? '\\N'}\t${copyField(whole(p.diskReadBytes))}\t` +
        `${copyField(whole(p.diskWriteBytes))}\n`,
    );
  }
  for (const n of c.connections ?? []) {
    lines.connection_samples.push(
      `${sample}${n.protocol}\t${copyField(n.localAddress)}\t${n.localPort}\t` +
        `${copyField(n.remoteAddress)}\t${n.remotePort}\t${copyField(n.state)}\t` +
        `${n.pid ?? '\\N'}\t${copyField(n.account ?? '')}\n`,
    );
  }
  for (const l of c.logons ?? []) {
    lines.logon_events.push(
      copyLine([
        ...[machine, id, l.at, l.account, l.event, l.terminal, l.from, l.durationMillis],
        ...[l.sessionMillis, l.phases ? JSON.stringify(l.phases) : null],
      ]),
    );
  }
  for (const e of c.applicationEvents ?? []) {
    lines.application_events.push(
      copyLine([machine, id, e.at, e.event, e.application, e.pid, e.account, e.durationMillis]),
    );
  }
  for (const [kind, groups] of [
    ['user', c.usage?.byUser ?? []],
    ['application', c.usage?.byApplication ?? []],
  ] as const) {
    for (const g of groups) {
      lines.usage_samples.push(
        `${sample}${kind}\t${copyField(g.key)}\t${g.processCount}\t${g.cpuPercent}\t` +
          `${Math.round(g.memoryRssBytes)}\t${Math.round(g.diskReadBytes)}\t` +
          `${Math.round(g.diskWriteBytes)}\n`,
      );
    }
  }
  for (const d of c.displaySessions ?? []) {
    lines.display_session_samples.push(
      copyLine([
        machine,
        at,
        id,
        d.protocol,
        d.transport,
        d.serverPort,
        d.clientAddress,
        d.clientPort,
        d.process ?? '',
        d.pid ?? null,
        d.rttMillis ?? null,
        d.rttVariationMillis ?? null,
        d.minRttMillis ?? null,
        whole(d.bytesSent),
        whole(d.bytesReceived),
        whole(d.retransmittedSegments),
        whole(d.deliveryRateBitsPerSecond),
      ]),
    );
  }
  for (const g of c.gpu?.devices ?? []) {
    lines.gpu_samples.push(
      copyLine(
        [machine, at, id, 'device', g.id, g.name, null, g.busyPercent].concat([
          whole(g.memoryUsedBytes),
          whole(g.memoryTotalBytes),
        ]),
      ),
    );
  }
  for (const g of c.gpu?.processes ?? []) {
    lines.gpu_samples.push(
      copyLine(
        [machine, at, id, 'process', g.device, g.application, g.pid, g.busyPercent].concat([
          whole(g.memoryBytes),
          null,
        ]),
      ),
    );
  }
  for (const point of c.series?.points ?? []) {
    lines.machine_series_points.push(
      copyLine([
        ...[machine, point.at, id, point.cpuPercent, point.cpuQueuePerCore],
        ...[whole(point.memoryUsedBytes), point.majorFaultsPerSecond, point.diskLatencyMillis],
        ...[point.diskIops, point.diskBusyPercent],
      ]),
    );
  }
  for (const b of c.browserSites ?? []) {
    const load = b.loadMillis;
    lines.browser_site_samples.push(
      copyLine([
        ...[machine, at, id, b.browser, b.account, b.site, b.pageLoads],
        ...[load?.min, load?.mean, load?.max, load?.p95],
        ...[b.firstByteMillisMean, b.firstPaintMillisMean, whole(b.transferBytes)],
        ...[b.openTabs, whole(b.jsHeapUsedBytes)],
      ]),
    );
  }

  return {
    text: copiedTables.map((table) => lines[table].join('')),
    counts: copiedTables.map((table) => lines[table].length),
  };
}

// A bigint column takes whole numbers only; the schema allows any non-negative number.
function whole(value: number | null | undefined): number | null {
  return value === undefined || value === null ? null : Math.round(value);
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
