import { sipHash24, type SipKey } from './siphash.js';
import { headerSourceUnbound } from './tag-format.js';

/**
 * What a tag's MAC covers. One object is filled and reused per packet; addresses are the
 * 32-bit words of the packet's source then destination address, four words each (IPv4 uses
 * the first word of each), exactly as the flow tracker keeps them.
 */
export class MacInput {
  header = 0;
  userNumber = 0;
  machineNumber = 0;
  /** The time field as carried: seconds modulo 65,536. */
  time16 = 0;
  /** 6 for TCP, 17 for UDP. */
  protocol = 0;
  ipVersion = 4;
  addressWords: Uint32Array = new Uint32Array(8);
  sourcePort = 0;
  destinationPort = 0;
  /** TCP: the SYN's sequence number; UDP: the trailer's nonce. */
  nonce = 0;
}

// The message: at most 3 fixed words, two IPv6 addresses and the source port. One scratch
// array serves every call; JavaScript runs one call at a time, so no two calls share it.
const message = new Uint32Array(12);

/**
 * Computes SipHash-2-4 under the machine key and writes [bits 63..32, bits 31..0] of the
 * result to `out`. The message is these 32-bit words, each serialised little-endian as SipHash
 * reads them:
 *   w0 = user number << 8 | m, where m = version << 5 | S << 4 | IPv6 << 1 | UDP
 *   w1 = time << 16 | destination port
 *   w2 = nonce (TCP: the SYN's sequence number; UDP: the trailer's)
 *   the destination address (1 word for IPv4, 4 for IPv6, in network order as read), then,
 *   without the S flag, the source address and finally the source port as 2 bytes.
 * That is 22 bytes for IPv4: three SipHash blocks. The machine number and key id are not in
 * the message: the machine key is derived from them, so a tag naming another machine or key
 * is checked under another key and fails.
 */
export function computeTagMac(key: SipKey, input: MacInput, out: Uint32Array): void {
  const unbound = headerSourceUnbound(input.header);
  const v6 = input.ipVersion === 6;
  const m = (input.header & 0xf0) | (v6 ? 2 : 0) | (input.protocol === 17 ? 1 : 0);
  message[0] = ((input.userNumber << 8) | m) >>> 0;
  message[1] = ((input.time16 << 16) | input.destinationPort) >>> 0;
  message[2] = input.nonce;
  const addresses = input.addressWords;
  let count = 3;
  if (v6) for (let i = 4; i < 8; i++) message[count++] = addresses[i]!;
  else message[count++] = addresses[4]!;
  if (unbound) return sipHash24(key, message, count * 4, out);
  if (v6) for (let i = 0; i < 4; i++) message[count++] = addresses[i]!;
  else message[count++] = addresses[0]!;
  message[count] = input.sourcePort;
  sipHash24(key, message, count * 4 + 2, out);
}
