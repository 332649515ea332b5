/**
 * The GPU part of a sample: devices and processes from nvidia-smi where the NVIDIA driver is
 * installed, and from the kernel's DRM client statistics for every other driver that keeps
 * them. DRM figures are shares of the time since the previous sample, so the tracker keeps
 * the previous reading; the first sample has memory but no busy shares.
 */
import { join } from 'node:path';

import {
  maxGpuProcesses,
  type GpuDevice,
  type GpuProcess,
  type GpuUse,
} from '../../protocol/callback-gpu.js';
import { readValue } from '../connector-id/fingerprint-reader.js';
import { hasDrmDevices, readDrmProcesses, type DrmProcess } from './drm-clients.js';
import { readNvidiaSmi } from './nvidia-smi.js';

export interface GpuTrackerOptions {
  procRoot?: string;
  sysRoot?: string;
  /** The nvidia-smi command; default `nvidia-smi` on the PATH. */
  nvidiaSmi?: string;
}

/** Engine nanoseconds per client at one reading, keyed by pid, driver and client id. */
type Reading = Map<string, Map<string, number>>;

export class GpuTracker {
  readonly #procRoot: string;
  readonly #sysRoot: string;
  readonly #nvidiaSmi: string;
  #previous: { atMillis: number; reading: Reading } | null = null;

  constructor(options: GpuTrackerOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#sysRoot = options.sysRoot ?? '/sys';
    this.#nvidiaSmi = options.nvidiaSmi ?? 'nvidia-smi';
  }

  /** GPU use as of `nowMillis`; null on a machine with no GPU a driver reports. */
  async measure(nowMillis: number): Promise<GpuUse | null> {
    const [nvidia, drm] = await Promise.all([
      readNvidiaSmi(this.#nvidiaSmi),
      hasDrmDevices(this.#sysRoot).then((has) => (has ? readDrmProcesses(this.#procRoot) : [])),
    ]);
    const previous = this.#previous;
    const reading: Reading = new Map();
    const windowNanos = previous ? (nowMillis - previous.atMillis) * 1e6 : 0;
    const shares = new DeviceShares();
    const processes: GpuProcess[] = [...(nvidia?.processes ?? [])];

    for (const process of drm) {
      const byDevice = new Map<string, { engines: Map<string, number>; memory: number | null }>();
      for (const client of process.clients) {
        const key = `${process.pid}:${client.driver}:${client.clientId}`;
        reading.set(key, client.engineNanos);
        const device = client.device || client.driver;
        shares.driverOf.set(device, client.driver);
        const mine = byDevice.get(device) ?? { engines: new Map(), memory: null };
        byDevice.set(device, mine);
        if (client.memoryBytes !== null) mine.memory = (mine.memory ?? 0) + client.memoryBytes;
        const before = previous?.reading.get(key);
        if (!before || windowNanos <= 0) continue;
        for (const [engine, nanos] of client.engineNanos) {
          const delta = nanos - (before.get(engine) ?? nanos);
          if (delta <= 0) continue;
          const capacity = client.engineCapacity.get(engine) ?? 1;
          const share = (delta / (windowNanos * capacity)) * 100;
          mine.engines.set(engine, (mine.engines.get(engine) ?? 0) + share);
          shares.add(device, engine, share);
        }
      }
      for (const [device, use] of byDevice) {
        processes.push(processUse(process, device, use, previous !== null));
      }
    }
    this.#previous = { atMillis: nowMillis, reading };

    const nvidiaIds = new Set((nvidia?.devices ?? []).map((d) => d.id));
    const drmDevices = await Promise.all(
      [...shares.driverOf.keys()]
        .filter((id) => !nvidiaIds.has(id))
        .map((id) => this.#drmDevice(id, shares, previous !== null)),
    );
    const devices = [...(nvidia?.devices ?? []), ...drmDevices];
    if (devices.length === 0) return null;
    processes.sort((a, b) => (b.busyPercent ?? 0) - (a.busyPercent ?? 0));
    return { devices, processes: processes.slice(0, maxGpuProcesses) };
  }

  async #drmDevice(id: string, shares: DeviceShares, hasWindow: boolean): Promise<GpuDevice> {
    const dir = join(this.#sysRoot, 'bus/pci/devices', id);
    const [vendor, device, vramUsed, vramTotal] = await Promise.all([
      readValue(join(dir, 'vendor')),
      readValue(join(dir, 'device')),
      // amdgpu says how much video memory is in use; other drivers do not.
      readValue(join(dir, 'mem_info_vram_used')),
      readValue(join(dir, 'mem_info_vram_total')),
    ]);
    const ids = vendor && device ? `${vendor.replace(/^0x/, '')}:${device.replace(/^0x/, '')}` : '';
    return {
      id,
      // PCI ids; the hub names them from its copy of the PCI ID list, as for graphics adapters.
      name: ids,
      driver: shares.driverOf.get(id) ?? '',
      source: 'drm',
      busyPercent: hasWindow ? shares.busiest(id) : null,
      memoryUsedBytes: vramUsed ? Number(vramUsed) : null,
      memoryTotalBytes: vramTotal ? Number(vramTotal) : null,
    };
  }
}

/** Busy shares summed per device and engine over all clients. */
class DeviceShares {
  readonly driverOf = new Map<string, string>();
  readonly #byDevice = new Map<string, Map<string, number>>();

  add(device: string, engine: string, share: number): void {
    const engines = this.#byDevice.get(device) ?? new Map<string, number>();
    this.#byDevice.set(device, engines);
    engines.set(engine, (engines.get(engine) ?? 0) + share);
  }

  /** The busiest engine's share, capped at 100 against rounding between readings. */
  busiest(device: string): number {
    return Math.min(100, Math.max(0, ...(this.#byDevice.get(device)?.values() ?? [])));
  }
}

function processUse(
  process: DrmProcess,
  device: string,
  use: { engines: Map<string, number>; memory: number | null },
  hasWindow: boolean,
): GpuProcess {
  return {
    pid: process.pid,
    application: process.application,
    device,
    busyPercent: hasWindow ? Math.min(100, Math.max(0, ...use.engines.values())) : null,
    memoryBytes: use.memory,
  };
}
