import type { FastifyInstance } from 'fastify';
import { maxReleaseBytes } from '../../protocol/release-manifest.js';
import { HttpError } from '../../shared/errors.js';
import {
  listReleases,
  newerRelease,
  publishRelease,
  releaseBundle,
  withdrawRelease,
} from '../agent-releases.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { sealedRoute } from './sealed-route.js';

/**
 * Agent releases: administrators publish and list them; agents ask over their sealed channel
 * whether a newer one exists and then fetch its bundle.
 */
export async function releaseRoutes(app: FastifyInstance, hub: HubContext) {
  const sealed = sealedRoute(app, hub);
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: maxReleaseBytes },
    (_request, body, done) => done(null, body),
  );

  sealed<{ version?: unknown }>('/api/v1/agent/release', 'agent', async ({ version }) => {
    hub.counters.releaseChecks++;
    // The agent finds the bundle at releaseBundlePath(version) of the manifest it verified.
    const release = await newerRelease(hub.store, typeof version === 'string' ? version : '');
    return { release };
  });

  // Public on purpose, like /api/v1/ca: the bundle holds no secret, and an agent trusts it only
  // when its size and SHA-256 match a manifest signed by the site CA, so plain HTTP is enough.
  app.get('/api/v1/agent-releases/:version/bundle', async (request, reply) => {
    const { version } = request.params as { version: string };
    const bundle = await releaseBundle(hub.store, version);
    if (!bundle) throw new HttpError(404, 'release_not_found', `no release ${version}`);
    hub.counters.releaseBundlesServed++;
    return reply.type('application/octet-stream').send(bundle);
  });

  app.get('/api/v1/agent-releases', { preValidation: requireRole(hub, 'viewer') }, async () => ({
    releases: await listReleases(hub.store),
  }));

  app.put(
    '/api/v1/agent-releases/:version',
    { preValidation: requireRole(hub, 'administrator'), bodyLimit: maxReleaseBytes },
    async (request) => {
      const { version } = request.params as { version: string };
      if (!Buffer.isBuffer(request.body)) {
        throw new HttpError(415, 'bad_content_type', 'send the bundle as application/octet-stream');
      }
      const published = await publishRelease(hub.store, {
        version,
        bundle: request.body,
        actor: request.caller!.actor,
        caPrivateKeyPem: hub.identity.caKeys.privateKeyPem,
      });
      hub.log.info({ version, status: published.status }, 'agent release published');
      return published;
    },
  );

  app.delete(
    '/api/v1/agent-releases/:version',
    { preValidation: requireRole(hub, 'administrator') },
    async (request, reply) => {
      const { version } = request.params as { version: string };
      if (!(await withdrawRelease(hub.store, version, request.caller!.actor)))
        throw new HttpError(404, 'release_not_found', `no release ${version} is published`);
      hub.log.info({ version }, 'agent release withdrawn');
      return reply.code(204).send();
    },
  );
}
