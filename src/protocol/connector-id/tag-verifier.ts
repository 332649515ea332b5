import { MachineKeyCache } from './machine-keys.js';
import { defaultMaxClockSkewSeconds, ReplayGuard } from './replay-guard.js';
import { readU16 } from './tag-format.js';
import { computeTagMac } from './tag-mac.js';
import {
  tagVerdicts,
  verdictIndex,
  type FlaggedTag,
  type TagAttribution,
  type TagVerdict,
  type TagVerifierOptions,
} from './tag-verdicts.js';
import {
  findIpHeader,
  readSynTag,
  readUdpTag,
  TagReading,
  type ReadOutcome,
  type TagPacketView,
} from './tag-reader.js';

/**
 * Checks Connector ID tags for the network collector: it plugs in as the collector's tag
 * decoder and answers who opened a connection, or nothing. Every verdict is counted.
 */
export class TagVerifier {
  // One counter per verdict, in the order of `tagVerdicts`: an indexed add per packet.
  private readonly tally = new Float64Array(tagVerdicts.length);
  private readonly keys: MachineKeyCache;
  private readonly replay: ReplayGuard | undefined;
  private readonly reading = new TagReading();
  private readonly mac = new Uint32Array(2);
  private revoked: ReadonlySet<number>;

  constructor(private readonly options: TagVerifierOptions) {
    this.keys = new MachineKeyCache(options.siteSecrets);
    this.revoked = options.revokedMachines ?? new Set();
    if (options.replayProtection)
      this.replay = new ReplayGuard(options.maxClockSkewSeconds ?? defaultMaxClockSkewSeconds);
  }

  /** How many packets got each verdict so far. */
  get counts(): Record<TagVerdict, number> {
    return Object.fromEntries(tagVerdicts.map((v, i) => [v, this.tally[i]!])) as Record<
      TagVerdict,
      number
    >;
  }

  /** Replaces the revoked machine numbers (a new policy). */
  setRevokedMachines(revoked: ReadonlySet<number>): void {
    this.revoked = revoked;
  }

  fromTcpSyn(view: TagPacketView): TagAttribution | undefined {
    return this.conclude(view, 'tcp', readSynTag(view, this.reading));
  }

  fromUdpDatagram(view: TagPacketView): TagAttribution | undefined {
    return this.conclude(view, 'udp', readUdpTag(view, this.reading));
  }

  private conclude(view: TagPacketView, transport: 'tcp' | 'udp', read: ReadOutcome) {
    const verdict = read === 'tag' ? this.check(view.timeSeconds) : read;
    // The two common outcomes are counted by fixed index: this runs for every connection.
    if (verdict === 'valid') {
      this.count(0);
      const input = this.reading.input;
      const attribution: TagAttribution = { machineId: input.machineNumber, source: 'tag' };
      if (input.userNumber !== 0) attribution.userId = input.userNumber;
      return attribution;
    }
    if (verdict === 'untagged') this.count(1);
    else this.flag(view, transport, verdict, read === 'tag');
    return undefined;
  }

  private count(index: number) {
    this.tally[index] = this.tally[index]! + 1;
  }

  private flag(
    view: TagPacketView,
    transport: 'tcp' | 'udp',
    verdict: FlaggedTag['verdict'],
    read: boolean,
  ) {
    this.count(verdictIndex[verdict]);
    const input = this.reading.input;
    const addressWords = view.addressWords?.slice() ?? new Uint32Array(8);
    const ipVersion =
      view.ipVersion ??
      findIpHeader(view.data, view.transportOffset, transport === 'tcp' ? 6 : 17, addressWords);
    this.options.onFlag?.({
      verdict,
      transport,
      ipVersion,
      addressWords,
      sourcePort: readU16(view.data, view.transportOffset),
      destinationPort: readU16(view.data, view.transportOffset + 2),
      machineNumber: read ? input.machineNumber : 0,
      userNumber: read ? input.userNumber : 0,
      timeSeconds: view.timeSeconds,
    });
  }

  private check(packetSeconds: number): TagVerdict {
    const { input, macHigh, macLow24 } = this.reading;
    const key = this.keys.get(input.header & 0x0f, input.machineNumber);
    if (key === undefined) return 'unknown_key';
    computeTagMac(key, input, this.mac);
    if (this.mac[0] !== macHigh || this.mac[1]! >>> 8 !== macLow24) return 'bad_mac';
    // Revocation is checked after the MAC, so a forged tag naming a revoked machine is forged.
    if (this.revoked.has(input.machineNumber)) return 'revoked_machine';
    const replay = this.replay;
    if (replay === undefined) return 'valid';
    if (!replay.isFresh(input.time16, packetSeconds)) return 'stale';
    return replay.firstSight(macHigh, macLow24, packetSeconds) ? 'valid' : 'replayed';
  }
}
