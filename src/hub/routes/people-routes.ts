import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../shared/errors.js';
import { createWebSession, endWebSession, webSessionMillis } from '../../hub/credentials.js';
import { csrfHeader, requireRole, sessionCookie } from '../hub-auth.js';
import type { HubContext } from '../hub-context.js';
import {
  changePassword,
  changeRole,
  createPerson,
  removePerson,
  type PersonChangeRefusal,
  listPeople,
  maxPersonNameChars,
  roles,
  verifySignIn,
  type Person,
  type Role,
} from '../people.js';

const signInSchema = {
  body: {
    type: 'object',
    required: ['name', 'password'],
    additionalProperties: false,
    properties: {
      // No NUL: PostgreSQL text cannot hold one, and no real name has one.
      name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000]+$' },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
    },
  },
};

const passwordSchema = {
  body: {
    type: 'object',
    required: ['currentPassword', 'newPassword'],
    additionalProperties: false,
    properties: {
      currentPassword: { type: 'string', maxLength: 1024 },
      newPassword: { type: 'string', maxLength: 1024 },
    },
  },
};

const view = (person: Person) => ({
  user: { name: person.name, role: person.role, mustChangePassword: person.mustChangePassword },
});

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string) {
  reply.setCookie(sessionCookie, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: webSessionMillis / 1000,
  });
}

/** Sign-in, sign-out and password change for people using the web UI. */
export async function peopleRoutes(app: FastifyInstance, hub: HubContext) {
  app.post('/api/v1/session', { schema: signInSchema }, async (request, reply) => {
    // Even sign-in needs the header: it stops a foreign page signing a browser in as someone else.
    if (request.headers[csrfHeader] !== '1') {
      throw new HttpError(403, 'csrf_header_missing', `send ${csrfHeader}: 1`);
    }
    const { name, password } = request.body as { name: string; password: string };
    const verdict = await hub.signInGuard.check(name, request.ip, () =>
      verifySignIn(hub.store, name, password),
    );
    if (verdict.status === 'locked') {
      reply.header('retry-after', verdict.retryAfterSeconds);
      throw new HttpError(429, 'too_many_attempts', 'too many failed sign-ins; try again later');
    }
    if (verdict.status === 'busy') {
      reply.header('retry-after', 5);
      throw new HttpError(503, 'busy', 'the hub is checking many sign-ins; try again shortly');
    }
    if (verdict.status === 'bad_credentials') {
      hub.log.warn({ name, remote: request.ip }, 'sign-in refused');
      throw new HttpError(401, 'bad_credentials', 'wrong name or password');
    }
    const person = verdict.value;
    setSessionCookie(request, reply, await createWebSession(hub.store, person));
    hub.log.info({ name }, 'signed in');
    return view(person);
  });

  app.get(
    '/api/v1/session',
    { preValidation: requireRole(hub, 'viewer', { beforePasswordChange: true }) },
    async (request) => {
      const caller = request.caller!;
      if (caller.kind !== 'person')
        throw new HttpError(400, 'not_a_person', 'tokens have no session');
      return view(caller.person);
    },
  );

  app.delete('/api/v1/session', async (request, reply) => {
    // Like every state change from a browser: a foreign page must not sign people out.
    if (request.headers[csrfHeader] !== '1') {
      throw new HttpError(403, 'csrf_header_missing', `send ${csrfHeader}: 1`);
    }
    const value = request.cookies[sessionCookie];
    if (value) await endWebSession(hub.store, value);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.code(204).send();
  });

  app.post(
    '/api/v1/session/password',
    {
      schema: passwordSchema,
      preValidation: requireRole(hub, 'viewer', { beforePasswordChange: true }),
    },
    async (request, reply) => {
      const caller = request.caller!;
      if (caller.kind !== 'person') throw new HttpError(400, 'not_a_person', 'sign in first');
      const body = request.body as { currentPassword: string; newPassword: string };
      const result = await changePassword(
        hub.store,
        caller.person,
        body.currentPassword,
        body.newPassword,
        hub.dataDir,
      );
      if (result.status === 'bad_credentials') {
        throw new HttpError(401, 'bad_credentials', 'the current password is wrong');
      }
      if (result.status === 'weak_password') {
        throw new HttpError(
          400,
          'weak_password',
          'choose a new password of at least 12 characters, not only spaces',
        );
      }
      // The change ended every session of this person, including whoever knew the old
      // password; the one who changed it gets a fresh session so the page they are on works.
      setSessionCookie(request, reply, await createWebSession(hub.store, caller.person));
      return reply.code(204).send();
    },
  );

  const personBody = {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'role'],
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        maxLength: maxPersonNameChars,
        pattern: '^\\S(.*\\S)?$',
      },
      role: { enum: roles },
    },
  } as const;
  const administrator = { preValidation: requireRole(hub, 'administrator') };

  app.get('/api/v1/people', administrator, async () => ({ people: await listPeople(hub.store) }));

  app.post(
    '/api/v1/people',
    { ...administrator, schema: { body: personBody } },
    async (request) => {
      const body = request.body as { name: string; role: Role };
      const created = await createPerson(hub.store, { ...body, actor: request.caller!.actor });
      if (!created)
        throw new HttpError(409, 'person_exists', `someone is named ${body.name} already`);
      return created;
    },
  );

  const nameParams = {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: maxPersonNameChars } },
  } as const;
  const refuse = (name: string, refusal: PersonChangeRefusal | null) => {
    if (refusal === 'not_found') throw new HttpError(404, 'person_not_found', `no person ${name}`);
    if (refusal === 'last_administrator') {
      throw new HttpError(
        409,
        'last_administrator',
        `${name} is the last administrator; make someone else an administrator first`,
      );
    }
  };

  app.put(
    '/api/v1/people/:name',
    {
      ...administrator,
      schema: {
        params: nameParams,
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: { role: { enum: roles } },
        },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { role } = request.body as { role: Role };
      refuse(name, await changeRole(hub.store, { name, role, actor: request.caller!.actor }));
      return { name, role };
    },
  );

  app.delete(
    '/api/v1/people/:name',
    { ...administrator, schema: { params: nameParams } },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      refuse(name, await removePerson(hub.store, { name, actor: request.caller!.actor }));
      return reply.code(204).send();
    },
  );
}
