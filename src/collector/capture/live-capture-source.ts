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

/**
 * Every capture closed in this process, kept from the garbage collector: the binding stops a
 * closed capture's poll handle but never releases it from libuv, so freeing the object would
 * leave libuv a dangling handle (a crash at the next capture opened). A few hundred bytes per
 * capture, closed at stop or at a filter change: rare events.
 */
const retiredSessions: PcapSession[] = [];

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
 *
 * A new filter (a changed policy) opens a second capture with it and then closes the first:
 * the binding cannot change a running capture's filter. A filter libpcap refuses leaves the
 * running capture as it was. Known limit: packets that arrive while the
 * second capture opens (a few milliseconds) are not counted.
 */
export function liveCaptureSource(options: LiveCaptureOptions): LiveCaptureSource {
  const { PcapSession } = loadPcapBinding();
  const packet = Buffer.alloc(options.snapLength ?? defaultSnapLength);
  const header = Buffer.alloc(pcapHeaderBytes);
  const littleEndian = endianness() === 'LE';
  let sink: PacketSink | null = null;
  let stopped: (() => void) | null = null;
  let filter = options.filter ?? '';
  // Counts of captures already closed (filter changes), and of the open one when last read.
  let closedCounts = { received: 0, dropped: 0 };
  let openCounts = { received: 0, dropped: 0 };
  let session: PcapSession | null = null;
  const stats = () => {
    if (session) {
      const counts = session.stats();
      openCounts = { received: counts.ps_recv, dropped: counts.ps_drop + counts.ps_ifdrop };
    }
    return {
      received: closedCounts.received + openCounts.received,
      dropped: closedCounts.dropped + openCounts.dropped,
    };
  };
  // The binding's close only asks libpcap to stop; the capture is really closed (its poll
  // handle stopped, its socket shut) by the next dispatch, which finds it asked to stop and
  // reads nothing. That dispatch is made here at once: otherwise a quiet interface would keep
  // a closed capture polling, and its object could be collected while libuv still held it.
  const closeSession = () => {
    if (!session) return;
    closedCounts = stats();
    openCounts = { received: 0, dropped: 0 };
    session.close();
    session.dispatch(packet, header);
    retiredSessions.push(session);
    session = null;
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
  const startReading = (reading: PcapSession) => {
    reading.read_callback = () => void reading.dispatch(packet, header);
    reading.start_polling();
  };

  const opened = new PcapSession();
  const linkName = openLive(opened, { ...options, filter }, packet.length, onPacket);
  session = opened;
  record.linkType = linkTypes[linkName] ?? -1;

  return {
    name: `live:${options.interfaceName}`,
    live: true,
    get filter() {
      return filter;
    },
    run(to) {
      sink = to;
      if (session) startReading(session);
      return new Promise<void>((resolve) => (stopped = resolve));
    },
    async setFilter(next) {
      if (next === filter || !session) return;
      // What waits under the old filter is read first, so little is lost in the change.
      if (sink) session.dispatch(packet, header);
      const replacement = new PcapSession();
      // Throws (a ConfigError naming the filter) before anything changes.
      openLive(replacement, { ...options, filter: next }, packet.length, onPacket);
      closeSession();
      session = replacement;
      filter = next;
      if (sink) startReading(replacement);
    },
    async stop() {
      closeSession();
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
    const fix = /filter|syntax|parse/i.test(reason)
      ? `check the capture filter "${options.filter ?? ''}" against pcap-filter(7)`
      : 'check --interface (ip link lists them) and that the collector runs as root or with ' +
        'CAP_NET_RAW';
    throw new ConfigError(`cannot capture on ${options.interfaceName}: ${reason}; ${fix}`);
  }
}
