/**
 * NVIDIA GPUs through nvidia-smi, which ships with the driver: each GPU's utilisation over the
 * driver's last sampling period and its memory, and the memory of each process using it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { GpuDevice, GpuProcess } from '../../protocol/callback-gpu.js';

const run = promisify(execFile);
/** Longest wait for nvidia-smi, which can hang while a GPU is in trouble: 5 s. */
const nvidiaSmiTimeoutMillis = 5_000;
const mebibyte = 1_048_576;

/** nvidia-smi writes bus ids with an 8-digit domain; Linux writes 4. */
export function pciAddress(busId: string): string {
  return busId
    .trim()
    .toLowerCase()
    .replace(/^0000(?=[0-9a-f]{4}:)/, '');
}

function numberOrNull(field: string | undefined): number | null {
  const value = Number(field?.trim());
  return field !== undefined && field.trim() !== '' && Number.isFinite(value) ? value : null;
}

/** Parses `--query-gpu=pci.bus_id,name,utilization.gpu,memory.used,memory.total` CSV. */
export function parseNvidiaGpus(csv: string): GpuDevice[] {
  return csv
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [busId, name, busy, used, total] = line.split(',');
      const mib = (field: string | undefined) => {
        const value = numberOrNull(field);
        return value === null ? null : value * mebibyte;
      };
      return {
        id: pciAddress(busId ?? ''),
        name: (name ?? '').trim(),
        driver: 'nvidia',
        source: 'nvidia-smi' as const,
        busyPercent: numberOrNull(busy),
        memoryUsedBytes: mib(used),
        memoryTotalBytes: mib(total),
      };
    });
}

/** Parses `--query-compute-apps=pid,gpu_bus_id,used_memory,process_name` CSV. */
export function parseNvidiaProcesses(csv: string): GpuProcess[] {
  return csv
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [pid, busId, used, ...name] = line.split(',');
      const memory = numberOrNull(used);
      const path = name.join(',').trim();
      return {
        pid: Number(pid),
        application: path.slice(path.lastIndexOf('/') + 1),
        device: pciAddress(busId ?? ''),
        // Not yet: per-process utilisation (nvidia-smi pmon); only memory is read.
        busyPercent: null,
        memoryBytes: memory === null ? null : memory * mebibyte,
      };
    })
    .filter((p) => Number.isInteger(p.pid) && p.pid > 0);
}

/** The NVIDIA GPUs and their processes; null where nvidia-smi is missing or fails. */
export async function readNvidiaSmi(
  command = 'nvidia-smi',
): Promise<{ devices: GpuDevice[]; processes: GpuProcess[] } | null> {
  const query = (args: string[]) =>
    run(command, [...args, '--format=csv,noheader,nounits'], {
      timeout: nvidiaSmiTimeoutMillis,
    }).then((result) => result.stdout);
  try {
    const gpus = await query([
      '--query-gpu=pci.bus_id,name,utilization.gpu,memory.used,memory.total',
    ]);
    const apps = await query(['--query-compute-apps=pid,gpu_bus_id,used_memory,process_name']);
    return { devices: parseNvidiaGpus(gpus), processes: parseNvidiaProcesses(apps) };
  } catch {
    return null;
  }
}
