import type { PacketRecord } from './capture-packet.js';
import { DecodedPacket } from './decoded-packet.js';
import { decodeIp } from './ip-layer.js';
import { findNetworkLayer } from './link-layer.js';

/**
 * Decodes a captured frame down to its TCP or UDP header. Returns false with `out.skip` set for
 * frames that are not TCP or UDP over IP, or that are damaged. Reads only captured bytes; the
 * wire length bounds what the IP length fields may claim.
 */
export function decodePacket(record: PacketRecord, out: DecodedPacket): boolean {
  const { data, offset, capturedLength, wireLength } = record;
  const end = offset + capturedLength;
  out.skip = undefined;
  out.wireLength = wireLength;

  const network = findNetworkLayer(data, offset, end, record.linkType, out);
  if (network < 0) return false;
  return decodeIp(data, network, end, wireLength - (network - offset), out);
}

export { DecodedPacket };
