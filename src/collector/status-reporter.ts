import type { Logger } from '../shared/logger.js';
import { checkCollectorConfig, type CollectorConfig } from './collector-config.js';
import type { HubLink } from './hub-link.js';

/** What the hub answers to a report: the configuration it wants this collector to run. */
export interface ReportAnswer {
  configVersion: number;
  config: Partial<CollectorConfig>;
}

/**
 * Reports the collector's state to the hub on an interval (queue depth, rates, counts by
 * reason) and applies the configuration the hub answers with. A hub that is away just misses
 * reports; the collector goes on with the configuration it has.
 */
export class StatusReporter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> | null = null;
  configVersion: number | null = null;

  constructor(
    private readonly hub: HubLink,
    private readonly buildReport: () => Record<string, unknown>,
    private readonly applyConfig: (config: Partial<CollectorConfig>) => void,
    private readonly intervalMillis: () => number,
    private readonly log: Logger,
    /** Runs after each report the hub answered: the policy check. */
    private readonly afterReport: () => Promise<void> = async () => undefined,
  ) {}

  start(): void {
    void this.reportNow().finally(() => this.schedule());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** Sends one report now; resolves when the hub answered or could not be reached. */
  reportNow(): Promise<void> {
    this.inFlight ??= this.send().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => void this.reportNow().finally(() => this.schedule()),
      this.intervalMillis(),
    );
    this.timer.unref();
  }

  private async send(): Promise<void> {
    const report = { ...this.buildReport(), appliedConfigVersion: this.configVersion };
    const answer = await this.hub.call<ReportAnswer>('/api/v1/collector/report', report);
    if (answer.kind !== 'answer') {
      this.log.debug({ answer: answer.kind }, 'report not delivered; the hub is away');
      return;
    }
    await this.afterReport().catch((error: unknown) =>
      this.log.warn({ err: error }, 'policy check failed; keeping the current policy'),
    );
    if (answer.body.configVersion === this.configVersion) return;
    try {
      this.applyConfig(checkCollectorConfig(answer.body.config));
      this.configVersion = answer.body.configVersion;
      this.log.info({ configVersion: this.configVersion }, 'configuration from the hub applied');
    } catch (error) {
      this.log.warn({ err: error }, 'configuration from the hub refused; keeping the current one');
    }
  }
}
