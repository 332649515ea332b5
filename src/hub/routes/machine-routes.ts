import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/errors.js';
import { requireRole } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import { getMachine, listMachines } from '../machine-queries.js';
import { userHistory } from '../user-queries.js';
import { timeRangeQuery } from './time-range-query.js';

const historyQuery = { querystring: timeRangeQuery } as const;

/** Read-only machine API for the UI and for programs. */
export async function machineRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };

  app.get('/api/v1/machines', viewer, async () => ({ machines: await listMachines(hub.store) }));

  app.get('/api/v1/machines/:id', { ...viewer, schema: historyQuery }, async (request) => {
    const { id } = request.params as { id: string };
    const { from, to } = request.query as { from?: string; to?: string };
    if (
      (from === undefined) !== (to === undefined) ||
      (from && to && Date.parse(from) >= Date.parse(to))
    ) {
      throw new HttpError(400, 'bad_range', 'give both from and to, from before to');
    }
    const range = from && to ? { from: new Date(from), to: new Date(to) } : undefined;
    const machine = await getMachine(hub.store, id, range);
    if (!machine) throw new HttpError(404, 'machine_not_found', `no machine with id ${id}`);
    return machine;
  });

  app.get(
    '/api/v1/users/:account/history',
    {
      ...viewer,
      schema: { querystring: { ...historyQuery.querystring, required: ['from', 'to'] } },
    },
    async (request) => {
      const { account } = request.params as { account: string };
      const { from, to } = request.query as { from: string; to: string };
      if (Date.parse(from) >= Date.parse(to)) {
        throw new HttpError(400, 'bad_range', 'from must be before to');
      }
      const range = { from: new Date(from), to: new Date(to) };
      return { account, history: await userHistory(hub.store, account, range) };
    },
  );
}
