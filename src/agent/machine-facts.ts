/**
 * What the machine is: its names, operating system, processor and memory. These change
 * rarely, but a callback carries them every time so that the hub always knows the machine
 * as it is now.
 */
import { readFile } from 'node:fs/promises';
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

import si from 'systeminformation';

import type { CpuInfo, MachineFacts, MemoryInfo, OsInfo } from '../protocol/callback-schema.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import { resolveFqdn } from './fqdn.js';
import { isoOrNull, nonNegative, nonNegativeInteger, truncate } from './sample-limits.js';

const hostnameMaxChars = 255;
const osReleasePaths = ['/etc/os-release', '/usr/lib/os-release'];

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
  const info = await withDeadline(si.osInfo(), sourceDeadlineMillis, null);
  return { distro: info?.distro ?? '', release: info?.release ?? '' };
}

async function readCpuInfo(): Promise<CpuInfo> {
  const info = await withDeadline(si.cpu(), sourceDeadlineMillis, null);
  const cores = cpus();
  // The platform's own model string is what other inventories show; systeminformation
  // rewrites it, and knows it only where the platform does not (some ARM boards).
  const platformModel = cores[0]?.model.trim() ?? '';
  const model = /^(unknown)?$/i.test(platformModel)
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

async function readMemoryInfo(): Promise<MemoryInfo> {
  const info = await withDeadline(si.mem(), sourceDeadlineMillis, null);
  const totalBytes = nonNegative(info?.total || totalmem());
  // Available counts the page cache the kernel would give back, so used is what programs hold.
  const availableBytes = Math.min(totalBytes, nonNegative(info?.available ?? freemem()));
  return { totalBytes, usedBytes: totalBytes - availableBytes, availableBytes };
}
