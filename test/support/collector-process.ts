/**
 * A callback collector in its own process, started from source as `strata collector` runs it, so
 * tests can kill it with SIGKILL at any moment and start it again on the same folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadIdentity } from '../../src/agent/agent-identity.js';
import type { Queryable } from '../../src/store/store.js';
import { loadOrCreateKeyPair } from '../../src/protocol/key-pair.js';

const entryScript = new URL('./collector-entry.ts', import.meta.url).pathname;
/** How long a collector process may take to answer on its port: 60 s (from source, on CI). */
const startTimeoutMillis = 60_000;

export interface CollectorProcess {
  readonly url: string;
  /** Starts the process; `token` is needed on the first start only. */
  start(token?: string): Promise<void>;
  /** Resolves once the collector answers on its port. */
  ready(): Promise<void>;
  kill(): Promise<void>;
  /** The running process's id, or null when it is not running. */
  pid(): number | null;
  /** Id and public key, known once it has activated. */
  peer(): Promise<{ id: string; publicKeyPem: string; url: string }>;
}

export function collectorProcess(options: {
  baseDir: string;
  hubUrl: string;
  port: number;
  databaseUrl?: string;
}): CollectorProcess {
  const url = `http://127.0.0.1:${options.port}`;
  let child: ChildProcess | null = null;
  const dataDir = join(options.baseDir, 'collector');
  return {
    url,
    async start(token?: string) {
      const settings = {
        dataDir,
        host: '127.0.0.1',
        port: options.port,
        databaseUrl: options.databaseUrl,
        ...(token ? { hubUrl: options.hubUrl, token } : {}),
      };
      child = spawn(process.execPath, ['--import', 'tsx', entryScript, JSON.stringify(settings)], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, STRATA_LOG_LEVEL: 'error' },
      });
    },
    async ready() {
      const deadline = Date.now() + startTimeoutMillis;
      while (Date.now() < deadline) {
        const up = await fetch(`${url}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        if (up) return;
        if (child && child.exitCode !== null) {
          throw new Error(`the collector exited (${child.exitCode})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the collector did not start in time');
    },
    async kill() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    pid: () => child?.pid ?? null,
    async peer() {
      const identity = await loadIdentity(dataDir);
      if (!identity) throw new Error('the collector has not activated');
      const keys = await loadOrCreateKeyPair(join(dataDir, 'collector-key.pem'));
      return { id: identity.componentId, publicKeyPem: keys.publicKeyPem, url };
    },
  };
}

/** A port from a range the tests use, different on every call in one run. */
let nextPort = 21_000 + Math.floor(Math.random() * 15_000);
export const freshPort = () => nextPort++;

/** Waits until `count` collectors have reported to the hub, and so are listed to agents. */
export async function untilCollectorsListed(store: Queryable, count: number): Promise<void> {
  for (;;) {
    const rows = await store.query('SELECT 1 FROM collectors WHERE intake_url IS NOT NULL');
    if (rows.length === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
