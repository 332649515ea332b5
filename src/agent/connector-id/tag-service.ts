import type { UntaggableReason } from '../../protocol/connector-id/ip-packet.js';
import type { TagWriter } from '../../protocol/connector-id/tag-writer.js';
import type { Logger } from '../../shared/logger.js';
import { InterfaceMtus } from './interface-mtus.js';
import type { NfqueueAddon } from './nfqueue-addon.js';

export interface TagServiceOptions {
  addon: NfqueueAddon;
  queueNumber: number;
  writer: TagWriter;
  /** The user number of a socket owner's uid, from a cache (0 when not known yet). */
  userNumberOf: (uid: number) => number;
  log: Logger;
  /** Seconds since 1970; injected by tests. */
  nowSeconds?: () => number;
  mtus?: InterfaceMtus;
}

/** What the service did so far, for the agent's status and log. */
export interface TagCounts {
  tagged: number;
  untagged: Partial<Record<UntaggableReason | 'no_socket_owner' | 'failed', number>>;
}

/**
 * Tags the packets the netfilter queue hands over: SYNs and UDP datagrams of local sockets,
 * with the machine's number and the user number of the socket's owner. Every packet goes
 * back to the kernel, tagged or as it came; none is dropped here.
 */
export class TagService {
  readonly counts: TagCounts = { tagged: 0, untagged: {} };
  private handle: unknown;
  private readonly mtus: InterfaceMtus;
  private readonly now: () => number;

  constructor(private readonly options: TagServiceOptions) {
    this.mtus = options.mtus ?? new InterfaceMtus();
    this.now = options.nowSeconds ?? (() => Date.now() / 1000);
  }

  start(): void {
    this.handle = this.options.addon.openQueue(
      this.options.queueNumber,
      (packet, length, uid, out) => this.onPacket(packet, length, uid, out),
    );
    this.options.log.info({ queue: this.options.queueNumber }, 'connector id tagging started');
  }

  stop(): void {
    if (this.handle === undefined) return;
    this.options.addon.closeQueue(this.handle);
    this.handle = undefined;
    this.options.log.info({ counts: this.counts }, 'connector id tagging stopped');
  }

  /** The packet's new length, or 0 to let it pass unchanged. */
  onPacket(packet: Buffer, length: number, uid: number, outInterface: number): number {
    try {
      // A packet without a local socket (forwarded, or sent by the kernel itself) has no owner.
      if (uid < 0) return this.skip('no_socket_owner');
      const user = this.options.userNumberOf(uid);
      const version = packet[0]! >>> 4;
      const protocol = version === 4 ? packet[9] : packet[6];
      const result =
        protocol === 6
          ? this.options.writer.tagTcpSyn(packet, length, user, this.now())
          : this.options.writer.tagUdpDatagram(
              packet,
              length,
              user,
              this.now(),
              this.mtus.of(outInterface),
            );
      if (result.status === 'untaggable') return this.skip(result.reason);
      this.counts.tagged++;
      return result.length;
    } catch (error) {
      // A bug here must not cost the packet: it goes out untagged, and the fault is logged.
      this.options.log.error({ err: error }, 'tagging a packet failed');
      return this.skip('failed');
    }
  }

  private skip(reason: keyof TagCounts['untagged']): number {
    this.counts.untagged[reason] = (this.counts.untagged[reason] ?? 0) + 1;
    return 0;
  }
}
