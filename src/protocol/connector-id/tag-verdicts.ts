/** What checking one packet's tag found; everything but `valid` and `untagged` is flagged. */
export type TagVerdict =
  | 'valid'
  | 'untagged'
  | 'cut_by_snap_length'
  | 'malformed'
  | 'unknown_key'
  | 'bad_mac'
  | 'revoked_machine'
  | 'stale'
  | 'replayed';

export const tagVerdicts: readonly TagVerdict[] = [
  'valid',
  'untagged',
  'cut_by_snap_length',
  'malformed',
  'unknown_key',
  'bad_mac',
  'revoked_machine',
  'stale',
  'replayed',
];

export const verdictIndex = Object.fromEntries(tagVerdicts.map((v, i) => [v, i])) as Record<
  TagVerdict,
  number
>;

/** A connection's owner as a tag names it (the network collector's Attribution). */
export interface TagAttribution {
  machineId: number;
  userId?: number;
  source: 'tag';
}

/** A tag that did not pass, with what it claimed and where it was seen. */
export interface FlaggedTag {
  verdict: Exclude<TagVerdict, 'valid' | 'untagged'>;
  transport: 'tcp' | 'udp';
  ipVersion: number;
  /** Sender's then receiver's address, four 32-bit words each; a copy. */
  addressWords: Uint32Array;
  sourcePort: number;
  destinationPort: number;
  /** As the tag claims them; 0 when the tag could not be read. */
  machineNumber: number;
  userNumber: number;
  timeSeconds: number;
}

export interface TagVerifierOptions {
  /** Site secrets by key id (0-15), from the collector's policy. */
  siteSecrets: ReadonlyMap<number, Uint8Array>;
  /** Machine numbers whose tags are refused even with a good MAC. */
  revokedMachines?: ReadonlySet<number>;
  /** Refuse stale and repeated tags; off by default, switched on by policy. */
  replayProtection?: boolean;
  /** With replay protection, how far a tag's time may be from the packet's: default 60 s. */
  maxClockSkewSeconds?: number;
  /** Called for every flagged tag (rare; allocation is fine there). */
  onFlag?: (flag: FlaggedTag) => void;
}
