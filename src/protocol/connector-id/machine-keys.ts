import { createHmac } from 'node:crypto';
import { sipKeyFromBytes, type SipKey } from './siphash.js';

/** Bytes of a site secret: 32 (256 bits), from a CSPRNG on the hub. */
export const siteSecretBytes = 32;
/** Most machine keys a collector keeps derived at once: 262,144, about 40 MB. */
export const maxCachedMachineKeys = 262_144;

// Separates this use of the site secret from any other use it may get later.
const keyLabel = Buffer.from('strata connector-id v1 machine key');

/**
 * The 128-bit tag key of one machine: the first 16 bytes of HMAC-SHA256 under the site
 * secret of the label, the key id (1 byte) and the machine number (3 bytes, big-endian).
 * An agent gets only its own machine's key, so a machine cannot write another's tags; a
 * collector holds the site secrets and derives any machine's key when it first sees it.
 */
export function deriveMachineKey(
  siteSecret: Uint8Array,
  keyId: number,
  machineNumber: number,
): Buffer {
  const suffix = Buffer.from([
    keyId & 0x0f,
    (machineNumber >>> 16) & 0xff,
    (machineNumber >>> 8) & 0xff,
    machineNumber & 0xff,
  ]);
  return createHmac('sha256', siteSecret).update(keyLabel).update(suffix).digest().subarray(0, 16);
}

/**
 * The collector's machine keys, derived on first use from the site secrets by key id.
 * Deriving costs one HMAC (microseconds); a look-up afterwards is one Map read.
 */
export class MachineKeyCache {
  private readonly keys = new Map<number, SipKey>();

  constructor(
    private readonly siteSecrets: ReadonlyMap<number, Uint8Array>,
    private readonly maxKeys = maxCachedMachineKeys,
  ) {}

  /** The key of `machineNumber` under secret `keyId`, or undefined for an unknown key id. */
  get(keyId: number, machineNumber: number): SipKey | undefined {
    const slot = keyId * 0x1000000 + machineNumber;
    const cached = this.keys.get(slot);
    if (cached !== undefined) return cached;
    const secret = this.siteSecrets.get(keyId);
    if (secret === undefined) return undefined;
    // Past the limit the oldest entry goes: a Map iterates in insertion order.
    if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    const key = sipKeyFromBytes(deriveMachineKey(secret, keyId, machineNumber));
    this.keys.set(slot, key);
    return key;
  }
}
