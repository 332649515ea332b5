import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { controlSocketName } from '../hub/control-socket.js';
import { consoleOperations, type ConsoleOperations } from '../hub/console-operations.js';
import { certificatePin } from '../protocol/certificate-authority.js';
import { ConfigError } from '../shared/errors.js';
import { lockHolder } from '../shared/pid-lock.js';
import { openStore } from '../store/open-store.js';
import type { Settings } from './settings.js';

type OperationName = keyof ConsoleOperations;

/**
 * Runs one console operation. With the embedded store and a hub running, the store belongs to
 * that hub, so the operation goes through its control socket; otherwise the store is opened
 * here directly.
 */
export async function runConsoleOperation(
  settings: Settings,
  name: OperationName,
  args: object,
): Promise<unknown> {
  const hubDir = join(settings.dataDir, 'hub');
  if (!settings.databaseUrl && (await lockHolder(join(hubDir, 'hub.lock')))) {
    return viaSocket(join(hubDir, controlSocketName), name, args);
  }

  const store = await openStore({
    databaseUrl: settings.databaseUrl,
    embeddedDir: join(hubDir, 'store'),
  });
  try {
    const rows = await store.query<{ value: { caCertificatePem: string } }>(
      "SELECT value FROM hub_settings WHERE key = 'site'",
    );
    if (!rows[0]) {
      throw new ConfigError('no hub has run on this store yet; start one with `strata hub` first');
    }
    // Only a hub machine holds the CA key; without it, publishing a release says so.
    const caKey = await readFile(join(hubDir, 'ca-key.pem'), 'utf8').catch(() => null);
    const caPin = certificatePin(rows[0].value.caCertificatePem);
    const operations = consoleOperations(store, caPin, caKey);
    const run = operations[name] as (args: unknown) => Promise<unknown>;
    return await run(args);
  } finally {
    await store.close();
  }
}

function viaSocket(socketPath: string, name: string, args: object): Promise<unknown> {
  const body = JSON.stringify(args);
  return new Promise((resolve, reject) => {
    const call = request(
      {
        socketPath,
        path: `/${name}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => {
          const parsed = JSON.parse(text || '{}') as { message?: string };
          if (response.statusCode === 200) resolve(parsed);
          else reject(new ConfigError(parsed.message ?? `the hub answered ${response.statusCode}`));
        });
      },
    );
    call.on('error', (error) =>
      reject(new ConfigError(`cannot reach the running hub at ${socketPath}: ${error.message}`)),
    );
    call.end(body);
  });
}
