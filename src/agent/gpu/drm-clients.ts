/**
 * GPU use per process from the kernel's DRM client statistics: each open DRM file of a
 * process has, in /proc/<pid>/fdinfo/<fd>, the nanoseconds each engine spent on that client's
 * work and the memory it holds (Documentation/gpu/drm-usage-stats.rst; i915, xe, amdgpu,
 * msm, panfrost, v3d and others). Two readings a sample apart give the share of the sample.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { mapInBatches } from '../proc-stat.js';

/** One DRM client as one fdinfo file describes it. */
export interface DrmClient {
  driver: string;
  /** Unique per open device file across the machine; several fds may share one. */
  clientId: string;
  /** The device's PCI address, when the driver names it. */
  device: string;
  /** Busy nanoseconds per engine since the client opened. */
  engineNanos: Map<string, number>;
  /** How many engines of each name there are (`drm-engine-capacity-*`), default 1. */
  engineCapacity: Map<string, number>;
  memoryBytes: number | null;
}

/** A process's DRM clients, with what identifies the process. */
export interface DrmProcess {
  pid: number;
  application: string;
  clients: DrmClient[];
}

const unitBytes: Record<string, number> = { '': 1, KiB: 1_024, MiB: 1_048_576, GiB: 1_073_741_824 };

/** Parses one fdinfo text; null when the file is not a DRM client's. */
export function parseDrmFdinfo(text: string): DrmClient | null {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const driver = fields.get('drm-driver');
  const clientId = fields.get('drm-client-id');
  if (!driver || !clientId) return null;

  const engineNanos = new Map<string, number>();
  const engineCapacity = new Map<string, number>();
  let resident: number | null = null;
  let legacy: number | null = null;
  for (const [key, value] of fields) {
    const capacity = /^drm-engine-capacity-(.+)$/.exec(key);
    if (capacity) {
      engineCapacity.set(capacity[1]!, Number(value) || 1);
      continue;
    }
    const engine = /^drm-engine-(.+)$/.exec(key);
    const nanos = /^(\d+) ns$/.exec(value);
    if (engine && nanos) engineNanos.set(engine[1]!, Number(nanos[1]));
    // drm-resident-<region> is the current key; drm-memory-<region> the older one.
    const bytes = /^(\d+)\s*(KiB|MiB|GiB)?$/.exec(value);
    if (bytes && key.startsWith('drm-resident-')) {
      resident = (resident ?? 0) + Number(bytes[1]) * unitBytes[bytes[2] ?? '']!;
    }
    if (bytes && key.startsWith('drm-memory-')) {
      legacy = (legacy ?? 0) + Number(bytes[1]) * unitBytes[bytes[2] ?? '']!;
    }
  }
  return {
    driver,
    clientId,
    device: fields.get('drm-pdev') ?? '',
    engineNanos,
    engineCapacity,
    memoryBytes: resident ?? legacy,
  };
}

/** Whether the machine has a DRM device at all; without one, nothing here is read. */
export async function hasDrmDevices(sysRoot = '/sys'): Promise<boolean> {
  const cards = await readdir(join(sysRoot, 'class/drm')).catch(() => [] as string[]);
  return cards.some((name) => /^(card|renderD)\d+$/.test(name));
}

/** Every process that holds a DRM device open, with its clients (one per client id). */
export async function readDrmProcesses(procRoot = '/proc'): Promise<DrmProcess[]> {
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  const found = await mapInBatches(pids, (pid) => readProcess(procRoot, pid));
  return found.filter((p): p is DrmProcess => p !== null);
}

async function readProcess(procRoot: string, pid: string): Promise<DrmProcess | null> {
  const fdDir = join(procRoot, pid, 'fd');
  const fds = await readdir(fdDir).catch(() => [] as string[]);
  const drmFds: string[] = [];
  for (const fd of fds) {
    const target = await readlink(join(fdDir, fd)).catch(() => '');
    if (target.startsWith('/dev/dri/')) drmFds.push(fd);
  }
  if (drmFds.length === 0) return null;

  const clients = new Map<string, DrmClient>();
  for (const fd of drmFds) {
    const text = await readFile(join(procRoot, pid, 'fdinfo', fd), 'utf8').catch(() => '');
    const client = parseDrmFdinfo(text);
    // A client opened once and duplicated (dup, fork) shows under several fds: count it once.
    if (client) clients.set(`${client.driver}:${client.clientId}`, client);
  }
  if (clients.size === 0) return null;
  // The executable's name groups processes into applications, as elsewhere in the sample.
  const exe = await readlink(join(procRoot, pid, 'exe')).catch(() => '');
  const comm = (await readFile(join(procRoot, pid, 'comm'), 'utf8').catch(() => '')).trim();
  const application = exe ? basename(exe.replace(/ \(deleted\)$/, '')) : comm;
  return { pid: Number(pid), application, clients: [...clients.values()] };
}
