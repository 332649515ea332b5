/**
 * The machine's network interfaces with every address they hold. Node lists all addresses
 * but only of interfaces that have one; systeminformation keeps one address of each family.
 * On Linux, /sys/class/net lists every interface, also a card that is down or unplugged,
 * which still belongs to the machine's fingerprint.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';

import type { InterfaceInfo } from '../protocol/callback-schema.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import { truncate } from './sample-limits.js';
import { loadSystemInformation } from './system-information.js';

/** Most interfaces, and most addresses of one family per interface, the schema allows. */
const maxInterfaces = 256;
const maxAddressesPerFamily = 64;
const sysNetPath = '/sys/class/net';

interface Link {
  name: string;
  mac: string;
  speedMbps: number | null;
  isVirtual: boolean;
}

/** Network interfaces, hardware cards first, with link speed in Mbit/s when known. */
export async function readInterfaces(): Promise<InterfaceInfo[]> {
  const links = (await readLinuxLinks()) ?? (await readLinksFromSystemInformation());
  const addresses = networkInterfaces();
  const ofFamily = (name: string, family: string) =>
    (addresses[name] ?? [])
      .filter((address) => address.family === family)
      .slice(0, maxAddressesPerFamily)
      .map((address) => truncate(address.address));

  // Cards first, so that a host with thousands of container links still reports its cards.
  // Names compare by code unit: localeCompare would map ICU's collation data, megabytes of it.
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  links.sort((a, b) => Number(a.isVirtual) - Number(b.isVirtual) || byName(a.name, b.name));
  return links.slice(0, maxInterfaces).map((link) => ({
    name: truncate(link.name),
    mac: truncate(link.mac),
    ipv4: ofFamily(link.name, 'IPv4'),
    ipv6: ofFamily(link.name, 'IPv6'),
    speedMbps: link.speedMbps,
    isVirtual: link.isVirtual,
  }));
}

async function readLinuxLinks(): Promise<Link[] | null> {
  if (process.platform !== 'linux') return null;
  const names = await readdir(sysNetPath).catch(() => []);
  if (names.length === 0) return null;

  return Promise.all(
    names.map(async (name) => {
      const [mac, speed, device] = await Promise.all([
        readFile(`${sysNetPath}/${name}/address`, 'utf8').catch(() => ''),
        // Reading the speed of a link that is down fails; the speed is then unknown.
        readFile(`${sysNetPath}/${name}/speed`, 'utf8').catch(() => ''),
        realpath(`${sysNetPath}/${name}`).catch(() => ''),
      ]);
      // Software links (loopback, bridges, veth, tunnels) have no device of their own.
      const isVirtual = device === '' || device.includes('/devices/virtual/');
      return { name, mac: mac.trim(), speedMbps: positiveOrNull(speed), isVirtual };
    }),
  );
}

async function readLinksFromSystemInformation(): Promise<Link[]> {
  const si = await loadSystemInformation();
  const found = await withDeadline(si.networkInterfaces(), sourceDeadlineMillis, []);
  return found.map((link) => ({
    name: link.iface,
    mac: link.mac,
    speedMbps: positiveOrNull(String(link.speed ?? '')),
    isVirtual: link.virtual || link.internal,
  }));
}

// Drivers report -1 or 0 when they do not know the speed.
function positiveOrNull(text: string): number | null {
  const mbps = Number.parseInt(text, 10);
  return mbps > 0 ? mbps : null;
}
