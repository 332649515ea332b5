import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../shared/errors.js';
import { findApiToken, findWebSession } from './credentials.js';
import type { HubContext } from './hub-context.js';
import type { Person, Role } from './people.js';

/** Name of the browser session cookie. */
export const sessionCookie = 'strata_session';
/** Header every state-changing browser request must carry (a cross-site form cannot set it). */
export const csrfHeader = 'x-strata-request';

const rank: Record<Role, number> = { viewer: 1, operator: 2, administrator: 3 };

/** Who is calling: a person signed in through the browser, or a program with a token. */
export type Caller =
  | { kind: 'person'; person: Person; role: Role; actor: string }
  | { kind: 'token'; tokenId: string; role: Role; actor: string };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Finds the caller from a bearer token or the session cookie; null when there is neither. */
export async function identifyCaller(hub: HubContext, request: FastifyRequest) {
  const header = request.headers.authorization;
  // The scheme name is case-insensitive (RFC 9110).
  if (header && /^bearer /i.test(header)) {
    const token = await findApiToken(hub.store, header.slice('bearer '.length).trim());
    if (!token)
      throw new HttpError(401, 'bad_token', 'the API token is unknown, revoked or expired');
    const caller: Caller = {
      kind: 'token',
      tokenId: token.id,
      role: token.role,
      actor: `token:${token.id}`,
    };
    return caller;
  }

  const cookie = request.cookies[sessionCookie];
  if (!cookie) return null;
  const person = await findWebSession(hub.store, cookie);
  if (!person) return null;
  if (!safeMethods.has(request.method) && request.headers[csrfHeader] !== '1') {
    throw new HttpError(
      403,
      'csrf_header_missing',
      `browser requests that change state must send ${csrfHeader}: 1`,
    );
  }
  const caller: Caller = {
    kind: 'person',
    person,
    role: person.role,
    actor: `person:${person.name}`,
  };
  return caller;
}

/**
 * A preValidation hook that lets through callers holding at least `role`. It runs before the
 * body is validated, so a caller without the right learns nothing from validation errors.
 */
export function requireRole(
  hub: HubContext,
  role: Role,
  options: { beforePasswordChange?: boolean } = {},
) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const caller = await identifyCaller(hub, request);
    if (!caller) throw new HttpError(401, 'sign_in_required', 'sign in or send an API token');
    // A password someone else set (the first one, printed at start, or a reset) opens only
    // the way to choosing one's own: whoever saw it must not be able to act as this person.
    if (
      caller.kind === 'person' &&
      caller.person.mustChangePassword &&
      !options.beforePasswordChange
    )
      throw new HttpError(
        403,
        'password_change_required',
        'choose your own password first (POST /api/v1/session/password)',
      );
    if (rank[caller.role] < rank[role]) {
      throw new HttpError(403, 'forbidden', `this needs the ${role} role or higher`);
    }
    request.caller = caller;
  };
}

/** Whether a role reaches `needed` (administrator reaches everything). */
export function roleReaches(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}
