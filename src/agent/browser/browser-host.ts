/**
 * The native messaging host the browser extension talks to (`strata agent browser-host`). The
 * browser starts it as the person using the browser; it checks each report and writes them in
 * batches into the agent's browser spool, a sticky world-writable folder where each batch file
 * belongs to the account that wrote it, so the agent knows whose browser it was without
 * trusting anything the page or the extension says.
 */
import { readlink, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { checkReport, type BrowserReport } from './browser-report.js';
import { FrameReader } from './native-messaging.js';

/** Reports written in one batch at most, and how long one waits at most: 50, 2 s. */
const batchReports = 50;
export const defaultFlushMillis = 2_000;
/** Batches waiting in the spool past which new ones are dropped (the agent is not reading). */
const maxSpoolFiles = 2_000;

/** One batch file in the spool. */
export interface SpoolBatch {
  browser: string;
  reports: BrowserReport[];
  /** Messages refused since the previous batch, by reason. */
  refused: Record<string, number>;
}

export interface HostOptions {
  spoolDir: string;
  input: NodeJS.ReadableStream;
  flushMillis?: number;
  /** The browser's name; default the executable of the process that started the host. */
  browser?: string;
}

/** Runs until the browser closes its end; settles once the last batch is written. */
export async function runBrowserHost(options: HostOptions): Promise<void> {
  const browser = options.browser ?? (await parentExecutable());
  const reader = new FrameReader();
  let pending: BrowserReport[] = [];
  let refused: Record<string, number> = {};
  let sequence = 0;
  let writing = Promise.resolve();

  const flush = () => {
    if (pending.length === 0 && Object.keys(refused).length === 0) return writing;
    const batch: SpoolBatch = { browser, reports: pending, refused };
    pending = [];
    refused = {};
    const name = `${process.pid}-${Date.now()}-${sequence++}`;
    writing = writing.then(async () => {
      // A full spool keeps nothing but the count, which goes out with a later batch.
      if (!(await writeBatch(options.spoolDir, name, batch))) {
        for (const [reason, n] of Object.entries(batch.refused))
          refused[reason] = (refused[reason] ?? 0) + n;
        refused.spool_full = (refused.spool_full ?? 0) + batch.reports.length;
      }
    });
    return writing;
  };
  const refuse = (reason: string) => (refused[reason] = (refused[reason] ?? 0) + 1);
  const timer = setInterval(() => void flush(), options.flushMillis ?? defaultFlushMillis);

  options.input.on('data', (chunk: Buffer) => {
    for (const outcome of reader.push(chunk)) {
      if (outcome.kind === 'rejected') {
        refuse(outcome.reason);
        continue;
      }
      const report = checkReport(outcome.value);
      if ('refused' in report) refuse(report.refused);
      else pending.push(report);
      if (pending.length >= batchReports) void flush();
    }
  });
  await new Promise<void>((resolve) => {
    options.input.once('end', resolve);
    options.input.once('close', resolve);
  });
  clearInterval(timer);
  await flush();
}

// Written under a dot name first and renamed, so the agent only ever sees whole batches.
async function writeBatch(spoolDir: string, name: string, batch: SpoolBatch): Promise<boolean> {
  const waiting = await readdir(spoolDir).catch(() => [] as string[]);
  if (waiting.length >= maxSpoolFiles) return false;
  const temporary = join(spoolDir, `.${name}.tmp`);
  await writeFile(temporary, JSON.stringify(batch), { mode: 0o600 });
  await rename(temporary, join(spoolDir, `${name}.json`));
  return true;
}

async function parentExecutable(): Promise<string> {
  const exe = await readlink(`/proc/${process.ppid}/exe`).catch(() => '');
  return exe ? basename(exe.replace(/ \(deleted\)$/, '')) : 'unknown';
}
