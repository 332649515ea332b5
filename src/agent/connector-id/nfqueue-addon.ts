/**
 * Loads Strata's netfilter queue addon (native/nfqueue), which is optional: it is built only
 * where libnetfilter_queue's headers are installed. Without it the agent runs as before and
 * says how to turn tagging on.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the addon exports (see native/nfqueue/nfqueue.c). */
export interface NfqueueAddon {
  /** `onPacket` returns the packet's new length, or 0 to pass it unchanged. */
  openQueue(
    queueNumber: number,
    onPacket: (packet: Buffer, length: number, uid: number, outInterface: number) => number,
  ): unknown;
  closeQueue(handle: unknown): void;
}

export type AddonLoad =
  { status: 'loaded'; addon: NfqueueAddon } | { status: 'missing'; howToEnable: string };

/**
 * The addon's file: beside the agent bundle (dist/agent, or where `strata agent install` put
 * it), else where it was built, the same relative place from src/ (tsx) and dist/ (built).
 */
export const addonPath = [
  './strata_nfqueue.node',
  '../../../native/nfqueue/build/Release/strata_nfqueue.node',
]
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .reduce((found, path) => (existsSync(found) ? found : path));

export const howToEnableTagging =
  'Connector ID tagging needs the netfilter queue addon, which is not built on this machine: ' +
  "install libnetfilter_queue's headers (Debian: apt-get install libnetfilter-queue-dev) " +
  'and run `npm run build:nfqueue`, then restart the agent (as root).';

export function loadNfqueueAddon(path = addonPath): AddonLoad {
  if (!existsSync(path)) return { status: 'missing', howToEnable: howToEnableTagging };
  try {
    const addon = createRequire(import.meta.url)(path) as NfqueueAddon;
    return { status: 'loaded', addon };
  } catch (error) {
    return {
      status: 'missing',
      howToEnable: `${howToEnableTagging} (loading ${path} failed: ${(error as Error).message})`,
    };
  }
}
