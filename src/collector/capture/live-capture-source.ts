import { endianness } from 'node:os';
import { LinkType, newPacketRecord, type PacketSink } from '../network/capture-packet.js';
import type { CaptureSource } from './capture-source.js';
import { ConfigError } from '../../shared/errors.js';
import { loadPcapBinding, type PcapSession } from './pcap-binding.js';

/** Kernel buffer for packets not yet read: 64 MiB, a third of a second at 200,000 packets/s. */
const defaultBufferBytes = 64 * 1024 * 1024;
/** Bytes kept of each packet: all of it up to 64 KiB (figures use the wire length anyway). */
const defaultSnapLength = 65_535;
/** How long libpcap gathers packets before handing them over: 100 ms. */
const bufferTimeoutMillis = 100;
const pcapHeaderBytes = 16;

// The binding names the link types it knows; anything else is counted as unknown.
const linkTypes: Record<string, number> = {
  LINKTYPE_NULL: LinkType.null,
  LINKTYPE_ETHERNET: LinkType.ethernet,
  LINKTYPE_RAW: LinkType.raw,
  LINKTYPE_LINUX_SLL: LinkType.linuxSll,
};

/** A live source also tells what the kernel received and dropped. */
export interface LiveCaptureSource extends CaptureSource {
  stats(): { received: number; dropped: number };
}

export interface LiveCaptureOptions {
  interfaceName: string;
  /** A capture filter in BPF syntax (pcap-filter(7)); default none. */
  filter?: string;
  bufferBytes?: number;
  snapLength?: number;
}

/**
 * Captures live from an interface through libpcap. Each packet is read straight from the
 * binding's buffers into one reused record: no object per packet. Times are libpcap's
 * (microseconds); the kernel's drop counts are reported as capture drops.
 */
export function liveCaptureSource(options: LiveCaptureOptions): LiveCaptureSource {
  const { PcapSession } = loadPcapBinding();
  const session: PcapSession = new PcapSession();
  const packet = Buffer.alloc(options.snapLength ?? defaultSnapLength);
  const header = Buffer.alloc(pcapHeaderBytes);
  const littleEndian = endianness() === 'LE';
  let sink: PacketSink | null = null;
  let stopped: (() => void) | null = null;
  let open = false;
  let last = { received: 0, dropped: 0 };
  const stats = () => {
    if (!open) return last;
    const counts = session.stats();
    last = { received: counts.ps_recv, dropped: counts.ps_drop + counts.ps_ifdrop };
    return last;
  };

  const record = newPacketRecord();
  record.data = packet;
  const onPacket = () => {
    const u32 = (at: number) => (littleEndian ? header.readUInt32LE(at) : header.readUInt32BE(at));
    record.timeSeconds = u32(0);
    record.timeNanos = u32(4) * 1_000;
    record.capturedLength = Math.min(u32(8), packet.length);
    record.wireLength = Math.max(u32(12), record.capturedLength);
    sink?.packet(record);
  };

  const linkName = openLive(session, options, packet.length, onPacket);
  open = true;
  record.linkType = linkTypes[linkName] ?? -1;

  return {
    name: `live:${options.interfaceName}`,
    live: true,
    run(to) {
      sink = to;
      session.read_callback = () => void session.dispatch(packet, header);
      session.start_polling();
      return new Promise<void>((resolve) => (stopped = resolve));
    },
    async stop() {
      if (open) {
        stats();
        open = false;
        session.close();
      }
      stopped?.();
    },
    drops: () => stats().dropped,
    stats,
  };
}

/** Opens the capture; libpcap's complaints (no such device, a bad filter) say what to fix. */
function openLive(
  session: PcapSession,
  options: LiveCaptureOptions,
  snapLength: number,
  onPacket: () => void,
): string {
  try {
    return session.open_live(
      options.interfaceName,
      options.filter ?? '',
      options.bufferBytes ?? defaultBufferBytes,
      snapLength,
      '',
      onPacket,
      false,
      bufferTimeoutMillis,
      () => undefined,
      true,
    );
  } catch (error) {
    const reason = (error as Error).message;
    const fix = /filter/i.test(reason)
      ? 'check --filter against pcap-filter(7)'
      : 'check --interface (ip link lists them) and that the collector runs as root or with ' +
        'CAP_NET_RAW';
    throw new ConfigError(`cannot capture on ${options.interfaceName}: ${reason}; ${fix}`);
  }
}
