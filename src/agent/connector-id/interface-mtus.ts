import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How long interface MTUs are trusted before they are read again: 60 s. */
const refreshMillis = 60_000;
/** Assumed when an interface cannot be read: the smallest MTU IPv6 allows, 1,280 bytes. */
export const fallbackMtuBytes = 1_280;

/**
 * The MTU of each network interface by index, read from /sys/class/net. A datagram that a
 * trailer would push past its interface's MTU goes out untagged instead of being dropped.
 */
export class InterfaceMtus {
  private byIndex = new Map<number, number>();
  private readAtMillis = -Infinity;

  constructor(
    private readonly netRoot = '/sys/class/net',
    private readonly nowMillis: () => number = Date.now,
  ) {}

  of(interfaceIndex: number): number {
    const stale = this.nowMillis() - this.readAtMillis > refreshMillis;
    if (stale || !this.byIndex.has(interfaceIndex)) this.read();
    return this.byIndex.get(interfaceIndex) ?? fallbackMtuBytes;
  }

  private read(): void {
    // Rare (once a minute, or for a new interface), small, and the answer is needed now.
    const byIndex = new Map<number, number>();
    let names: string[] = [];
    try {
      names = readdirSync(this.netRoot);
    } catch {
      names = [];
    }
    for (const name of names) {
      try {
        const index = Number(readFileSync(join(this.netRoot, name, 'ifindex'), 'utf8'));
        const mtu = Number(readFileSync(join(this.netRoot, name, 'mtu'), 'utf8'));
        if (Number.isInteger(index) && mtu > 0) byIndex.set(index, mtu);
      } catch {
        // An interface that went away between listing and reading.
      }
    }
    this.byIndex = byIndex;
    this.readAtMillis = this.nowMillis();
  }
}
