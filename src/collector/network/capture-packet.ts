/** Link-layer header types from the pcap and pcapng specifications that Strata decodes. */
export const LinkType = {
  null: 0,
  ethernet: 1,
  ppp: 9,
  rawOpenBsd: 12,
  rawBsdOs: 14,
  pppHdlc: 50,
  raw: 101,
  loop: 108,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;

/**
 * One captured packet as a reader hands it on. Readers reuse a single object for every packet,
 * so a sink must copy whatever it keeps past the call.
 */
export interface PacketRecord {
  /** The buffer that holds the packet's bytes (the reader's current chunk). */
  data: Uint8Array;
  /** Where the captured bytes start in `data`. */
  offset: number;
  /** Bytes present in the capture; never more than are in `data` past `offset`. */
  capturedLength: number;
  /** Length on the wire (the original length); at least `capturedLength`. */
  wireLength: number;
  /** Whole seconds since the Unix epoch, from the capture file. */
  timeSeconds: number;
  /** Fraction of the second in nanoseconds, 0 to 999,999,999. */
  timeNanos: number;
  linkType: number;
  /** pcapng interface number within its section; 0 for pcap. */
  interfaceIndex: number;
}

/** Where readers send packets and the records they had to skip. */
export interface PacketSink {
  packet(record: PacketRecord): void;
  skip(reason: SkipReason): void;
}

/** Why a record or packet was not analysed. Counted, never dropped silently. */
export type SkipReason =
  | 'truncated_file'
  | 'bad_record_length'
  | 'bad_block'
  | 'unknown_interface'
  | 'bad_timestamp'
  | 'timestamp_out_of_range'
  | 'unknown_link_type'
  | 'truncated_link_header'
  | 'truncated_ip_header'
  | 'bad_ip_header'
  | 'ip_fragment'
  | 'tunnel_too_deep'
  | 'truncated_transport_header'
  | 'bad_tcp_header_length'
  | 'not_ip'
  | 'other_ip_protocol';

/** Reasons that describe traffic Strata does not measure, rather than damaged input. */
export const ignoredReasons: ReadonlySet<SkipReason> = new Set(['not_ip', 'other_ip_protocol']);

export function newPacketRecord(): PacketRecord {
  return {
    data: new Uint8Array(0),
    offset: 0,
    capturedLength: 0,
    wireLength: 0,
    timeSeconds: 0,
    timeNanos: 0,
    linkType: 0,
    interfaceIndex: 0,
  };
}
