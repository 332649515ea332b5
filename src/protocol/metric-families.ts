/**
 * The metric families an agent collects, each on unless its policy turns it off, and what
 * each family is in a callback. Shared by the hub (the policy schema) and the agent (which
 * leaves an off family uncollected and out of its callbacks).
 */
import type { MachineSample } from './callback-schema.js';

export const metricFamilies = [
  'processes',
  'connections',
  'logons',
  'inventory',
  'software',
  'usage',
  'loadTimes',
  'hungProcesses',
  'displaySessions',
  'gpu',
  'browser',
  'series',
] as const;

export type MetricFamily = (typeof metricFamilies)[number];

/** Whether a family is on under a policy's `metricFamilies` setting (absent or odd: on). */
export type FamilySwitch = (family: MetricFamily) => boolean;

export function familySwitch(setting: unknown): FamilySwitch {
  const off = new Set<string>();
  if (setting && typeof setting === 'object') {
    for (const [name, on] of Object.entries(setting)) if (on === false) off.add(name);
  }
  return (family) => !off.has(family);
}

/** The families a policy turns off, sorted, for logs and status lines. */
export function familiesOff(on: FamilySwitch): MetricFamily[] {
  return metricFamilies.filter((family) => !on(family));
}

/**
 * The sample without what an off family holds. The agent does not collect an off family in
 * the first place; this is the last word, so nothing of it can reach a callback whatever
 * produced the sample. `connections` has nothing to remove: agents do not report their
 * machine's connections yet (the network collectors do).
 */
export function keepFamilies(sample: MachineSample, on: FamilySwitch): MachineSample {
  const kept: MachineSample = { ...sample };
  if (!on('processes')) kept.processes = [];
  if (!on('logons')) delete kept.logons;
  if (!on('inventory')) delete kept.hardware;
  if (!on('software')) delete kept.software;
  if (!on('usage')) delete kept.usage;
  if (!on('displaySessions')) delete kept.displaySessions;
  if (!on('gpu')) delete kept.gpu;
  if (!on('series')) delete kept.series;
  if (!on('browser')) delete kept.browserSites;
  if (kept.applicationEvents) {
    const events = kept.applicationEvents.filter(
      (event) =>
        (event.event !== 'loaded' || on('loadTimes')) &&
        (event.event !== 'not_responding' || on('hungProcesses')),
    );
    if (events.length > 0) kept.applicationEvents = events;
    else delete kept.applicationEvents;
  }
  return kept;
}
