/**
 * One sample of the machine for a callback: what it is, how busy it is, its disks and
 * network interfaces, who is logged on and its busiest processes. Every value is fitted to
 * the callback schema, and a source that fails or stalls leaves its values empty instead of
 * costing the whole sample.
 */
import { loadavg } from 'node:os';

import { MAX_PROCESSES_PER_CALLBACK, type MachineSample } from '../protocol/callback-schema.js';
import { createAccountNamer, type AccountNamer } from './account-names.js';
import { measureLinuxCpuWindow, type CpuWindow } from './cpu-window.js';
import { measurePortableCpuWindow } from './cpu-window-portable.js';
import { readDisks } from './disk-list.js';
import { dnsDomainOf } from './fqdn.js';
import { readHardwareInfo } from './inventory/hardware-info.js';
import { readInterfaces } from './interface-list.js';
import type { SoftwareTracker } from './inventory/software-inventory.js';
import { localName, readAdministrators } from './logons/administrators.js';
import type { LogonTracker } from './logons/logon-tracker.js';
import type { BrowserSpool } from './browser/browser-sites.js';
import type { GpuTracker } from './gpu/gpu-tracker.js';
import type { SampleSeriesRecorder } from './series/sample-series.js';
import type { LoadTimeWatcher } from './processes/load-times.js';
import type { ProcessUsageTracker } from './processes/process-usage.js';
import { readMachineFacts } from './machine-facts.js';
import { sourceDeadlineMillis, withDeadline } from './deadline.js';
import { nonNegativeInteger, nonNegativeOrNull } from './sample-limits.js';
import { readSessions } from './session-list.js';
import { readDisplaySessions } from './sessions/display-sessions.js';

/** How long CPU use is measured for, machine and processes alike. */
const cpuSampleMillis = 1_000;
/** Longest wait for the package database; rpm -qa on a large one takes several seconds. */
const softwareDeadlineMillis = 30_000;

export interface SampleOptions {
  maxProcesses?: number;
  software?: SoftwareTracker;
  logons?: LogonTracker;
  processUsage?: ProcessUsageTracker;
  loadTimes?: LoadTimeWatcher;
  gpu?: GpuTracker;
  series?: SampleSeriesRecorder;
  browser?: BrowserSpool;
  /** Hardware inventory (DMI, PCI); on unless false. */
  inventory?: boolean;
  /** Remote display sessions; on unless false. */
  displaySessions?: boolean;
}

/** Samples this machine: CPU over 1 s, then the rest; keeps the `maxProcesses` busiest
 * processes (default and ceiling MAX_PROCESSES_PER_CALLBACK). Sizes are in bytes. With a
 * `software` tracker the sample carries the software inventory too, with a `logons` tracker
 * the logons and logoffs since the last spooled callback, with a `processUsage` tracker use
 * per user and application, disk bytes and processes that stopped responding. */
export async function collectMachineSample(options: SampleOptions = {}): Promise<MachineSample> {
  const requested = options.maxProcesses ?? MAX_PROCESSES_PER_CALLBACK;
  const maxProcesses = Math.min(MAX_PROCESSES_PER_CALLBACK, nonNegativeInteger(requested));

  // CPU comes first, while the agent only waits, so that its own work on the rest of the
  // sample does not count as the machine's.
  const window = await measureCpuWindow(maxProcesses);
  const sampledAt = new Date().toISOString();
  const [machine, disks, interfaces, hardware, software] = await Promise.all([
    readMachineFacts(window.bootedAtMillis),
    readDisks(),
    readInterfaces(),
    options.inventory === false ? null : readHardware(),
    options.software
      ? withDeadline(options.software.inventory(), softwareDeadlineMillis, null)
      : null,
  ]);

  const dnsDomain = dnsDomainOf(machine.fqdn, machine.hostname);
  const namer = await createAccountNamer(machine.hostname, dnsDomain);
  const usageWork =
    options.processUsage && window.allTasks
      ? options.processUsage.measure(window.allTasks, namer, Date.parse(sampledAt))
      : null;
  const [sessions, busiest, admins, logons, usage] = await Promise.all([
    readSessions(namer),
    window.describeProcesses(namer),
    process.platform === 'linux' ? readAdministrators() : null,
    options.logons
      ? withDeadline(options.logons.read(namer, window.bootedAtMillis), sourceDeadlineMillis, null)
      : null,
    usageWork ? withDeadline(usageWork, sourceDeadlineMillis, null) : null,
  ]);
  const extra = await readExtras(options, namer, Date.parse(sampledAt));
  const processes = usage ? usage.withDisk(busiest) : busiest;
  // Not yet: administrator rights on Windows and macOS (Administrators, admin groups).
  const users = sessions.map((user) =>
    admins ? { ...user, isAdministrator: admins.has(localName(user.account)) } : user,
  );
  const applicationEvents = [...extra.loads, ...(usage?.applicationEvents ?? [])];
  return {
    sampledAt,
    machine,
    cpuPercent: window.cpuPercent,
    load1: readLoad1(),
    disks,
    interfaces,
    users,
    processes,
    ...(hardware ? { hardware } : {}),
    ...(software ? { software } : {}),
    ...(logons ? { logons } : {}),
    ...(usage ? { usage: usage.usage } : {}),
    ...(applicationEvents.length > 0 ? { applicationEvents } : {}),
    ...(extra.displaySessions.length > 0 ? { displaySessions: extra.displaySessions } : {}),
    ...(extra.gpu ? { gpu: extra.gpu } : {}),
    ...(extra.series ? { series: extra.series } : {}),
    ...(extra.browserSites.length > 0 ? { browserSites: extra.browserSites } : {}),
  };
}

/** The families gathered between samples or read beside them; each may come back empty. */
async function readExtras(options: SampleOptions, namer: AccountNamer, nowMillis: number) {
  const [displaySessions, loads, gpu, browserSites] = await Promise.all([
    options.displaySessions === false
      ? []
      : withDeadline(readDisplaySessions(), sourceDeadlineMillis, []),
    options.loadTimes ? options.loadTimes.drain(namer) : [],
    options.gpu ? withDeadline(options.gpu.measure(nowMillis), sourceDeadlineMillis, null) : null,
    options.browser ? withDeadline(options.browser.take(namer), sourceDeadlineMillis, []) : [],
  ]);
  return { displaySessions, loads, gpu, browserSites, series: options.series?.take() };
}

// Only Linux exposes DMI and PCI as files; elsewhere the callback goes without hardware.
function readHardware() {
  if (process.platform !== 'linux') return Promise.resolve(null);
  return withDeadline(readHardwareInfo(Date.now()), sourceDeadlineMillis, null);
}

async function measureCpuWindow(maxProcesses: number): Promise<CpuWindow> {
  if (process.platform === 'linux') {
    // A locked-down container may hide /proc; systeminformation has other ways in.
    const window = await measureLinuxCpuWindow(cpuSampleMillis, maxProcesses).catch(() => null);
    if (window) return window;
  }
  return measurePortableCpuWindow(cpuSampleMillis, maxProcesses);
}

function readLoad1(): number | null {
  // Windows has no load average; Node reports zero there, which would read as an idle machine.
  return process.platform === 'win32' ? null : nonNegativeOrNull(loadavg()[0]);
}
