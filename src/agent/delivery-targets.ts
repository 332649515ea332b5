import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyCertificate } from '../protocol/certificate-check.js';
import { ChannelClient } from '../protocol/channel-client.js';
import { httpTransport } from '../protocol/http-transport.js';
import { keyFingerprint } from '../protocol/key-pair.js';
import { writeFileDurably } from '../shared/atomic-file.js';
import type { Logger } from '../shared/logger.js';
import type { ComponentIdentity } from './agent-identity.js';

/** How often the agent asks the hub for the current collector list: every 15 minutes. */
export const collectorListRefreshMillis = 15 * 60_000;
const listFile = 'collectors.json';

/** A collector as the hub lists it to agents. */
export interface ListedCollector {
  id: string;
  url: string;
  publicKeyPem: string;
  certificatePem: string;
}

/** Somewhere a callback can go: a collector, or the hub itself. */
export interface DeliveryTarget {
  id: string;
  kind: 'collector' | 'hub';
  client: ChannelClient;
}

/**
 * The places an agent sends callbacks to, in the order it tries them: the collectors round
 * robin, starting at a random one, then the hub when no collector answers. A target that fails
 * is skipped for the rest of the delivery pass; the next pass tries everyone again. The list
 * comes from the hub over the agent's channel and is kept on disk, so an agent that restarts
 * while the hub is away still knows its collectors.
 */
export class DeliveryTargets {
  private collectors: DeliveryTarget[] = [];
  private next = 0;
  private fetchedAtMillis = Number.NEGATIVE_INFINITY;
  private readonly skipped = new Set<DeliveryTarget>();
  readonly hub: DeliveryTarget;

  constructor(
    private readonly identity: ComponentIdentity,
    private readonly privateKeyPem: string,
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {
    this.hub = {
      id: identity.hubId,
      kind: 'hub',
      client: this.channel(identity.hubId, identity.hubPublicKeyPem, identity.hubUrl),
    };
  }

  /** Loads the list kept on disk, then asks the hub for a newer one if it is due. */
  async refresh(force = false): Promise<void> {
    if (this.fetchedAtMillis === Number.NEGATIVE_INFINITY) {
      const saved = await readFile(join(this.dataDir, listFile), 'utf8').catch(() => null);
      if (saved) await this.use(JSON.parse(saved) as ListedCollector[]);
    }
    if (!force && Date.now() - this.fetchedAtMillis < collectorListRefreshMillis) return;
    const answer = await this.hub.client.request('/api/v1/agent/collectors', {}).catch(() => null);
    if (answer?.kind !== 'reply') return; // the hub is away: keep the list there is
    this.fetchedAtMillis = Date.now();
    const listed = (answer.body as { collectors: ListedCollector[] }).collectors;
    await this.use(listed);
    await writeFileDurably(join(this.dataDir, listFile), JSON.stringify(listed));
  }

  /** Collectors known now, in listed order. */
  get collectorCount(): number {
    return this.collectors.length;
  }

  /** A new delivery pass: targets that failed in the last one get another chance. */
  beginPass(): void {
    this.skipped.clear();
  }

  /**
   * The targets to try for the next request, in order: the collectors that have not failed in
   * this pass, round robin from the next one due, then the hub unless it failed too.
   */
  ordered(): DeliveryTarget[] {
    const count = this.collectors.length;
    const rotated = this.collectors.map((_, i) => this.collectors[(this.next + i) % count]!);
    return [...rotated, this.hub].filter((target) => !this.skipped.has(target));
  }

  /** A target took a request: the next request goes to the collector after it. */
  answered(target: DeliveryTarget): void {
    this.moveAfter(target);
  }

  /** A target failed: it is skipped for the rest of this pass. */
  failed(target: DeliveryTarget): void {
    this.skipped.add(target);
    this.moveAfter(target);
  }

  private moveAfter(target: DeliveryTarget): void {
    const index = this.collectors.indexOf(target);
    if (index !== -1) this.next = (index + 1) % this.collectors.length;
  }

  private async use(listed: ListedCollector[]): Promise<void> {
    const known = new Map(this.collectors.map((target) => [target.id, target]));
    const checked: DeliveryTarget[] = [];
    for (const collector of listed) {
      if (!(await this.trusted(collector))) continue;
      checked.push(
        known.get(collector.id) ?? {
          id: collector.id,
          kind: 'collector',
          client: this.channel(collector.id, collector.publicKeyPem, collector.url),
        },
      );
    }
    // A fresh agent starts at a random collector, so agents spread over the pair.
    if (this.collectors.length === 0 && checked.length > 0)
      this.next = Math.floor(Math.random() * checked.length);
    this.collectors = checked;
    this.next %= Math.max(1, checked.length);
  }

  // The list travels sealed from the hub; the certificate check also ties each key to the CA.
  private async trusted(collector: ListedCollector): Promise<boolean> {
    try {
      const verified = await verifyCertificate(
        collector.certificatePem,
        this.identity.caCertificatePem,
      );
      const sameKey =
        keyFingerprint(verified.publicKeyPem) === keyFingerprint(collector.publicKeyPem);
      if (verified.kind === 'collector' && verified.subjectId === collector.id && sameKey)
        return true;
    } catch {
      // fall through: not trusted
    }
    this.log.warn({ collectorId: collector.id }, 'collector certificate does not check; skipped');
    return false;
  }

  private channel(recipientId: string, recipientPublicKeyPem: string, url: string) {
    return new ChannelClient({
      componentId: this.identity.componentId,
      privateKeyPem: this.privateKeyPem,
      recipientId,
      recipientPublicKeyPem,
      transport: httpTransport(url),
    });
  }
}
