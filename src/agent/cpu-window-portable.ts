/**
 * CPU use over a short window on platforms without /proc (Windows, macOS), through
 * systeminformation. Its figures are measured against its own previous call, so the first
 * call only marks the start of the window; the second, after the wait, gives the window.
 */
import { setTimeout as delay } from 'node:timers/promises';

import type { Systeminformation } from 'systeminformation';

import type { ProcessSample } from '../protocol/callback-schema.js';
import type { AccountNamer } from './account-names.js';
import type { CpuWindow } from './cpu-window.js';
import { loadSystemInformation } from './system-information.js';
import {
  accountMaxChars,
  commandMaxChars,
  isoOrNull,
  nonNegative,
  nonNegativeInteger,
  percent,
  truncate,
} from './sample-limits.js';

type ListedProcess = Systeminformation.ProcessesProcessData;

/** Measures over `windowMillis` (500 or more, or systeminformation repeats its last answer)
 * and keeps the `maxProcesses` busiest, by CPU then memory. */
export async function measurePortableCpuWindow(
  windowMillis: number,
  maxProcesses: number,
): Promise<CpuWindow> {
  const si = await loadSystemInformation();
  await Promise.all([si.currentLoad(), si.processes()]);
  await delay(windowMillis);
  const [load, processes] = await Promise.all([si.currentLoad(), si.processes()]);

  const busiest = processes.list
    .sort((a, b) => b.cpu - a.cpu || b.memRss - a.memRss || a.pid - b.pid)
    .slice(0, maxProcesses);
  return {
    cpuPercent: percent(load.currentLoad),
    bootedAtMillis: null,
    describeProcesses: (namer) => Promise.all(busiest.map((listed) => toSample(listed, namer))),
  };
}

async function toSample(listed: ListedProcess, namer: AccountNamer): Promise<ProcessSample> {
  const command = [listed.command, listed.params].join(' ').trim();
  const account = listed.user ? await namer.byName(listed.user) : '';
  // systeminformation gives a local time without a zone, `2026-12-03 18:44:05`.
  const started = listed.started ? new Date(listed.started.replace(' ', 'T')) : null;

  return {
    pid: nonNegativeInteger(listed.pid),
    parentPid: nonNegativeInteger(listed.parentPid),
    name: truncate(listed.name),
    command: truncate(command, commandMaxChars),
    account: truncate(account, accountMaxChars),
    cpuPercent: percent(listed.cpu),
    memoryRssBytes: nonNegative(listed.memRss * 1_024),
    startedAt: isoOrNull(started),
  };
}
