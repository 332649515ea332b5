import { chmod, rm } from 'node:fs/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { maxReleaseBytes } from '../protocol/release-manifest.js';
import type { Store } from '../store/store.js';
import { consoleOperations } from './console-operations.js';

/** File name of the hub's control socket inside its data folder. */
export const controlSocketName = 'control.sock';

/**
 * A local socket, readable by the hub's user only, through which `strata admin` reaches a
 * running hub whose embedded store it cannot open itself.
 */
export async function startControlSocket(
  path: string,
  store: Store,
  caPin: string,
  caPrivateKeyPem: string,
): Promise<FastifyInstance> {
  await rm(path, { force: true }); // a socket file left by a crash
  // An agent release travels here in base64: room for the largest bundle the hub accepts.
  const app = Fastify({ logger: false, bodyLimit: 2 * maxReleaseBytes });
  const operations = consoleOperations(store, caPin, caPrivateKeyPem);
  app.post('/:operation', async (request, reply) => {
    const { operation } = request.params as { operation: string };
    const run = operations[operation as keyof typeof operations] as
      ((args: unknown) => Promise<unknown>) | undefined;
    if (!run) return reply.code(404).send({ code: 'unknown_operation', message: operation });
    try {
      return await run(request.body ?? {});
    } catch (error) {
      return reply.code(400).send({ code: 'operation_failed', message: (error as Error).message });
    }
  });
  await app.listen({ path });
  await chmod(path, 0o600);
  return app;
}
