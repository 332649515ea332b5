/** Who a connection belongs to, and how that was found out. */
export interface Attribution {
  machineId: number;
  userId?: number;
  /** "tag": a Connector ID tag in the traffic; "address": the machine last known at that IP. */
  source: 'tag' | 'address';
}

/** The bytes of one packet, as a Connector ID tag decoder gets them. */
export interface TaggedPacketView {
  data: Uint8Array;
  /** Where the TCP or UDP header starts, and where the captured bytes end. */
  transportOffset: number;
  capturedEnd: number;
  /** TCP header length with options (0 for UDP). */
  tcpHeaderLength: number;
  /** Where the payload starts, its length on the wire and how much of it was captured. */
  payloadOffset: number;
  payloadLength: number;
  payloadCaptured: number;
  /** The packet's time: whole seconds since the epoch, for replay windows. */
  timeSeconds: number;
}

/**
 * Reads a Connector ID tag (the user and machine numbers an agent writes into its traffic).
 * The network collector calls it on each connection's first SYN and first datagrams, before
 * any guess from addresses; a decoder returns undefined for traffic without a valid tag.
 */
export interface ConnectorTagDecoder {
  /** A SYN without ACK from the originator: the tag sits in fields a SYN does not use. */
  fromTcpSyn(packet: TaggedPacketView): Attribution | undefined;
  /** A datagram from the originator: the tag is a trailer the receiver's stack discards. */
  fromUdpDatagram(packet: TaggedPacketView): Attribution | undefined;
}

/** Which machine's callbacks last reported an IP address, as of a moment; injected. */
export interface AddressDirectory {
  /** `address` as text (IPv4 dotted, IPv6 compressed); `epochSeconds` the connection's start. */
  machineAt(address: string, epochSeconds: number): Attribution | undefined;
}

/** How many datagrams of a UDP flow are offered to the tag decoder before it stops trying. */
export const maxTaggedDatagramsTried = 3;
