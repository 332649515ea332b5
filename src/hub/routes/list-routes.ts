import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { recordChange } from '../change-log.js';
import { requireRole, roleReaches } from '../hub-auth.js';
import { HttpError } from '../../shared/errors.js';
import type { HubContext } from '../hub-context.js';
import { describeList, listDefinitions, type ListDefinition } from '../lists/list-definitions.js';
import {
  exportFormats,
  exportList,
  type ExportFormat,
  type ExportProgress,
} from '../lists/list-export.js';
import { parseListRequest, type ListRequest, type Parsed } from '../lists/list-parameters.js';
import { CursorMismatch, readListPage } from '../lists/list-query.js';
import { searchNames } from '../lists/name-search.js';

/**
 * The inspectors' lists (viewer): each list with filters, sorting and keyset paging, its
 * streamed export, and one search over the names of users, machines, applications and
 * processes.
 */
export async function listRoutes(app: FastifyInstance, hub: HubContext) {
  const viewer = { preValidation: requireRole(hub, 'viewer') };

  // Lists that need more than a viewer (the change log) are left out for those without it.
  app.get('/api/v1/lists', viewer, async (request) => ({
    lists: Object.values(listDefinitions)
      .filter((list) => !list.role || roleReaches(request.caller!.role, list.role))
      .map(describeList),
  }));

  app.get('/api/v1/lists/:list', viewer, async (request, reply) => {
    const list = listOf(request.params);
    if (!list) return refuse(reply, unknownList(request.params));
    mayRead(request.caller!.role, list);
    const parsed = parseListRequest(list, queryOf(request.query), hub.nowMillis());
    if (parsed.kind === 'invalid') return refuse(reply, parsed);
    try {
      const page = await readListPage(hub.store, list, parsed.value);
      return { list: list.name, columns: describeList(list).columns, ...page };
    } catch (error) {
      if (error instanceof CursorMismatch) return refuse(reply, mismatch(error));
      throw error;
    }
  });

  app.get('/api/v1/lists/:list/export', viewer, async (request, reply) => {
    const list = listOf(request.params);
    if (!list) return refuse(reply, unknownList(request.params));
    mayRead(request.caller!.role, list);
    const query = queryOf(request.query);
    const parsed = parseListRequest(list, query, hub.nowMillis(), ['format']);
    if (parsed.kind === 'invalid') return refuse(reply, parsed);
    const format = (query.format ?? 'csv') as ExportFormat;
    if (!(format in exportFormats)) {
      return refuse(reply, {
        field: 'format',
        message: `format: one of ${Object.keys(exportFormats).join(', ')}`,
      });
    }
    const actor = request.caller!.actor;
    return streamExport(hub, reply, { list, request: parsed.value, format, actor });
  });

  app.get('/api/v1/search', viewer, async (request, reply) => {
    const query = queryOf(request.query);
    const q = typeof query.q === 'string' ? query.q.trim() : '';
    const unknown = Object.keys(query).find((field) => field !== 'q' && field !== 'limit');
    if (unknown) return refuse(reply, { field: unknown, message: `${unknown}: no such field` });
    if (q.length < 1 || q.length > 200 || q.includes('\0'))
      return refuse(reply, { field: 'q', message: 'q: from 1 to 200 characters' });
    const limit = query.limit === undefined ? 10 : Number(query.limit);
    if (typeof query.limit === 'object' || !Number.isInteger(limit) || limit < 1 || limit > 50)
      return refuse(reply, { field: 'limit', message: 'limit: a whole number from 1 to 50' });
    return searchNames(hub.store, q, limit);
  });
}

async function streamExport(
  hub: HubContext,
  reply: FastifyReply,
  job: { list: ListDefinition; request: ListRequest; format: ExportFormat; actor: string },
) {
  const { list, request, format, actor } = job;
  const progress: ExportProgress = { rows: 0, completed: false };
  const stamp = new Date(hub.nowMillis()).toISOString().replace(/[:.]/g, '-');
  const fileName = `strata-${list.name}-${stamp}.${exportFormats[format].extension}`;
  hub.counters.exportsStarted++;

  // One chunk read ahead at most: a client that stops reading stops the reading.
  const body = Readable.from(exportList(hub.store, list, request, format, progress), {
    highWaterMark: 1,
  });
  // Once, whether the export reached its end, the client went away or the store failed.
  body.once('close', () => {
    hub.counters.exportRows += progress.rows;
    if (progress.completed) hub.counters.exportsCompleted++;
    else hub.counters.exportsStopped++;
    const filters = {
      ...request.filters,
      ...(request.q ? { q: request.q } : {}),
      ...(request.fromMillis === undefined
        ? {}
        : {
            from: new Date(request.fromMillis).toISOString(),
            to: new Date(request.toMillis!).toISOString(),
          }),
    };
    recordChange(hub.store, {
      actor,
      action: 'list.export',
      subject: list.name,
      detail: {
        format,
        filters,
        sort: `${request.sort} ${request.order}`,
        rows: progress.rows,
        completed: progress.completed,
      },
    }).catch((error: unknown) =>
      hub.log.error({ err: error, list: list.name }, 'export not written to the change log'),
    );
  });
  return reply
    .header('content-type', exportFormats[format].type)
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

function mayRead(role: Parameters<typeof roleReaches>[0], list: ListDefinition) {
  if (list.role && !roleReaches(role, list.role)) {
    throw new HttpError(403, 'forbidden', `the ${list.name} list needs the ${list.role} role`);
  }
}

function listOf(params: unknown): ListDefinition | undefined {
  const name = (params as { list: string }).list;
  return Object.hasOwn(listDefinitions, name) ? listDefinitions[name] : undefined;
}

function queryOf(query: unknown): Record<string, unknown> {
  return (query ?? {}) as Record<string, unknown>;
}

function unknownList(params: unknown) {
  const name = (params as { list: string }).list;
  const names = Object.keys(listDefinitions).join(', ');
  return { field: 'list', message: `list: no list named ${name}; there are ${names}` };
}

function mismatch(error: CursorMismatch) {
  return { field: error.field, message: error.message };
}

function refuse(
  reply: FastifyReply,
  refusal: Omit<Extract<Parsed<never>, { kind: 'invalid' }>, 'kind'>,
) {
  return reply
    .code(400)
    .send({ code: 'invalid_parameter', message: refusal.message, field: refusal.field });
}
