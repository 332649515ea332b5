import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/errors.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { getMachine, listMachines } from '../machine-queries.js';

/** Read-only machine API for the UI and for programs. */
export async function machineRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };

  app.get('/api/v1/machines', viewer, async () => ({ machines: await listMachines(hub.store) }));

  app.get('/api/v1/machines/:id', viewer, async (request) => {
    const { id } = request.params as { id: string };
    const machine = await getMachine(hub.store, id);
    if (!machine) throw new HttpError(404, 'machine_not_found', `no machine with id ${id}`);
    return machine;
  });
}
