import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { controlSocketName } from '../hub/control-socket.js';
import { consoleOperations, type ConsoleOperations } from '../hub/console-operations.js';
import { certificatePin } from '../protocol/certificate-authority.js';
import { keyFingerprint, publicPemOf } from '../protocol/key-pair.js';
import { ConfigError } from '../shared/errors.js';
import { lockHolder } from '../shared/pid-lock.js';
import { openStore } from '../store/open-store.js';
import type { Settings } from './settings.js';
import type { TableProgress } from '../store/store-copy.js';

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
  progress?: TableProgress,
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
    const { caCertificatePem } = rows[0].value;
    const caKey = await siteCaKey(join(hubDir, 'ca-key.pem'), caCertificatePem);
    const operations = consoleOperations(store, certificatePin(caCertificatePem), caKey, progress);
    const run = operations[name] as (args: unknown) => Promise<unknown>;
    return await run(args);
  } finally {
    await store.close();
  }
}

/**
 * The site CA's private key from a hub folder, or null where this shell has none (only a hub
 * machine holds it) or holds another site's: publishing a release then says it needs the key,
 * instead of signing manifests every agent would refuse. Other operations need no key.
 */
async function siteCaKey(path: string, caCertificatePem: string): Promise<string | null> {
  const pem = await readFile(path, 'utf8').catch(() => null);
  if (!pem) return null;
  const caKey = new X509Certificate(caCertificatePem).publicKey;
  return keyFingerprint(publicPemOf(pem)) === keyFingerprint(caKey) ? pem : null;
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
