/**
 * A small but real site for the browser tests: a hub, a callback collector that has
 * reported, and a few agents that sent realistic callbacks through the hub's real intake,
 * spread over the last hours so charts have a line to draw.
 */
import { activateTestAgent, startTestCollector, type TestCollector } from './test-collector.js';
import { startTestHub, type TestHub } from './test-hub.js';
import { realisticCallback } from './realistic-callback.js';

export interface SeededSite {
  hub: TestHub;
  collector: TestCollector;
  /** Host names of the machines, in the order their agents were activated. */
  hostnames: string[];
  cleanup(): Promise<void>;
}

const HOUR_MILLIS = 3_600_000;

/** Starts the site; `machines` agents each send `callbacksEach` callbacks, an hour apart. */
export async function startSeededSite(machines = 3, callbacksEach = 4): Promise<SeededSite> {
  const hub = await startTestHub();
  const collector = await startTestCollector(hub, { config: { reportIntervalSeconds: 1 } });
  const hostnames = Array.from(
    { length: machines },
    (_, i) => `desk-${String(i + 1).padStart(2, '0')}`,
  );
  const nowMillis = Date.now();
  for (const hostname of hostnames) {
    const agent = await activateTestAgent(hub, hostname);
    for (let i = callbacksEach - 1; i >= 0; i -= 1) {
      const callback = realisticCallback(hostname, new Date(nowMillis - i * HOUR_MILLIS));
      const result = await agent.hub.request('/api/v1/callbacks', callback);
      if (result.kind !== 'reply') throw new Error(`callback from ${hostname} not taken`);
    }
  }
  await collector.reporter.reportNow();
  return {
    hub,
    collector,
    hostnames,
    async cleanup() {
      await collector.cleanup();
      await hub.cleanup();
    },
  };
}
