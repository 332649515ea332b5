/**
 * What the machine is: its names, operating system, processor and memory. These change
 * rarely, but a callback carries them every time so that the hub always knows the machine
 * as it is now.
 */
import { readdir, readFile } from 'node:fs/promises';
import {
  arch,
  availableParallelism,
  cpus,
  freemem,
  hostname,
  release,
  totalmem,
  uptime,
} from 'node:os';

import type { CpuInfo, MachineFacts, MemoryInfo, OsInfo } from '../protocol/callback-schema.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import { resolveFqdn } from './fqdn.js';
import { isoOrNull, nonNegative, nonNegativeInteger, truncate } from './sample-limits.js';
import { loadSystemInformation } from './system-information.js';

const hostnameMaxChars = 255;
const osReleasePaths = ['/etc/os-release', '/usr/lib/os-release'];
const cpuSysPath = '/sys/devices/system/cpu';

/** The machine's facts; `bootedAtMillis` is used when known, the uptime otherwise. */
export async function readMachineFacts(bootedAtMillis: number | null): Promise<MachineFacts> {
  // The schema needs a name; a kernel that was never given one answers `localhost` as well.
  const shortName = truncate(hostname(), hostnameMaxChars) || 'localhost';
  const [fqdn, os, cpu, memory] = await Promise.all([
    resolveFqdn(shortName),
    readOsInfo(),
    readCpuInfo(),
    readMemoryInfo(),
  ]);

  return {
    hostname: shortName,
    fqdn: truncate(fqdn, hostnameMaxChars) || shortName,
    os,
    cpu,
    memory,
    bootedAt: isoOrNull(new Date(bootedAtMillis ?? Date.now() - uptime() * 1_000)),
  };
}

async function readOsInfo(): Promise<OsInfo> {
  const { distro, release: version } =
    process.platform === 'linux' ? await readOsRelease() : await readOsFromSystemInformation();
  return {
    platform: truncate(process.platform),
    distro: truncate(distro),
    release: truncate(version),
    kernel: truncate(release()),
    arch: truncate(arch()),
  };
}

// systeminformation's osInfo runs `hostname -f` synchronously, which would freeze the agent
// for as long as a DNS server fails to answer; os-release holds the same two facts.
async function readOsRelease(): Promise<{ distro: string; release: string }> {
  let text = '';
  for (const path of osReleasePaths) {
    text ||= await readFile(path, 'utf8').catch(() => '');
  }
  const field = (key: string) =>
    new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.replace(/^["']|["']$/g, '') ?? '';
  return { distro: field('NAME'), release: field('VERSION_ID') };
}

async function readOsFromSystemInformation(): Promise<{ distro: string; release: string }> {
  const si = await loadSystemInformation();
  const info = await withDeadline(si.osInfo(), sourceDeadlineMillis, null);
  return { distro: info?.distro ?? '', release: info?.release ?? '' };
}

async function readCpuInfo(): Promise<CpuInfo> {
  const cores = cpus();
  // The platform's own model string is what other inventories show; systeminformation
  // rewrites it, and knows it only where the platform does not (some ARM boards).
  const platformModel = cores[0]?.model.trim() ?? '';
  const modelUnknown = /^(unknown)?$/i.test(platformModel);
  const info =
    process.platform === 'linux' && !modelUnknown
      ? await linuxProcessor(platformModel)
      : await withDeadline(
          loadSystemInformation().then((si) => si.cpu()),
          sourceDeadlineMillis,
          null,
        );
  const model = modelUnknown
    ? [info?.manufacturer, info?.brand].filter(Boolean).join(' ')
    : platformModel;
  const logical = info?.cores || cores.length || availableParallelism();

  return {
    model: truncate(model),
    logicalCount: Math.max(1, nonNegativeInteger(logical)),
    physicalCount: nonNegativeInteger(info?.physicalCores),
    speedGhz: nonNegative(info?.speed || info?.speedMax || (cores[0]?.speed ?? 0) / 1_000),
  };
}

interface ProcessorFacts {
  manufacturer?: string;
  brand?: string;
  cores?: number;
  physicalCores: number;
  speed: number;
  speedMax?: number;
}

// The processor does not change while the agent runs; its files are read once.
let linuxProcessorFacts: Promise<ProcessorFacts> | null = null;

/** Physical cores from the kernel's CPU topology; the rated speed from the model name (as in
 * `@ 2.40GHz`), else the highest frequency the kernel allows the first CPU. */
function linuxProcessor(model: string): Promise<ProcessorFacts> {
  linuxProcessorFacts ??= (async () => {
    const names = await readdir(cpuSysPath).catch(() => []);
    const cpuNames = names.filter((name) => /^cpu\d+$/.test(name));
    const coreKeys = await Promise.all(
      cpuNames.map(async (name) => {
        const topology = `${cpuSysPath}/${name}/topology`;
        const [cpuPackage, core] = await Promise.all([
          readFile(`${topology}/physical_package_id`, 'utf8').catch(() => null),
          readFile(`${topology}/core_id`, 'utf8').catch(() => null),
        ]);
        return cpuPackage === null || core === null ? null : `${cpuPackage.trim()}:${core.trim()}`;
      }),
    );
    const known = coreKeys.filter((key) => key !== null);
    const ratedGhz = Number.parseFloat(/@\s*([\d.]+)\s*GHz/i.exec(model)?.[1] ?? '');
    const maxKhz = Number.parseInt(
      await readFile(`${cpuSysPath}/cpu0/cpufreq/cpuinfo_max_freq`, 'utf8').catch(() => ''),
      10,
    );
    const maxGhz = maxKhz > 0 ? Math.round(maxKhz / 10_000) / 100 : 0;
    return {
      physicalCores: known.length === cpuNames.length ? new Set(known).size : 0,
      speed: ratedGhz > 0 ? ratedGhz : maxGhz,
    };
  })();
  return linuxProcessorFacts;
}

async function readMemoryInfo(): Promise<MemoryInfo> {
  const info =
    process.platform === 'linux'
      ? await readLinuxMemory()
      : await withDeadline(
          loadSystemInformation().then((si) => si.mem()),
          sourceDeadlineMillis,
          null,
        );
  const totalBytes = nonNegative(info?.total || totalmem());
  // Available counts the page cache the kernel would give back, so used is what programs hold.
  const availableBytes = Math.min(totalBytes, nonNegative(info?.available ?? freemem()));
  return { totalBytes, usedBytes: totalBytes - availableBytes, availableBytes };
}

async function readLinuxMemory(): Promise<{ total: number; available: number } | null> {
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => null);
  if (meminfo === null) return null;
  const bytes = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1]) * 1_024;
  const total = bytes('MemTotal');
  const available = bytes('MemAvailable');
  return Number.isFinite(total) && Number.isFinite(available) ? { total, available } : null;
}
