import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  openActivationResponse,
  buildActivationRequest,
  type ComponentKind,
} from '../protocol/activation.js';
import { parseActivationToken } from '../protocol/activation-token.js';
import { certificatePin, verifyCertificate } from '../protocol/certificate-check.js';
import { requestJson } from '../protocol/http-request.js';
import type { KeyPairPem } from '../protocol/key-pair.js';
import { writeFileDurably } from '../shared/atomic-file.js';
import { ConfigError } from '../shared/errors.js';

/** What an activated component keeps: who it is, whom it trusts, and its policy. */
export interface ComponentIdentity {
  componentId: string;
  hubId: string;
  hubUrl: string;
  caCertificatePem: string;
  certificatePem: string;
  hubCertificatePem: string;
  hubPublicKeyPem: string;
  policy: Record<string, unknown>;
}

const identityFile = 'identity.json';
/** How long each activation request may take: 30 s. */
const activationTimeoutMillis = 30_000;

/** The saved identity, or null when this component has never been activated. */
export async function loadIdentity(dataDir: string): Promise<ComponentIdentity | null> {
  const text = await readFile(join(dataDir, identityFile), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as ComponentIdentity) : null;
}

/** Saves a new address for the hub of an activated component and returns the identity. */
export async function saveHubUrl(
  dataDir: string,
  identity: ComponentIdentity,
  hubUrl: string,
): Promise<ComponentIdentity> {
  const moved = { ...identity, hubUrl };
  await writeFileDurably(join(dataDir, identityFile), JSON.stringify(moved, null, 2));
  return moved;
}

/**
 * Activates against a hub with an administrator's token, checks everything the hub sends,
 * and only then saves the new identity: a failed activation leaves any old one in place.
 */
export async function activate(options: {
  dataDir: string;
  hubUrl: string;
  token: string;
  kind: ComponentKind;
  name: string;
  keys: KeyPairPem;
}): Promise<ComponentIdentity> {
  const token = parseActivationToken(options.token);
  if (!token) {
    throw new ConfigError(
      'that is not an activation token (they look like sat1.xxxx.yyyy); create one with ' +
        '`strata admin activation-token create` on the hub',
    );
  }
  const request = buildActivationRequest(
    {
      tokenSecret: token.secret,
      kind: options.kind,
      name: options.name,
      publicKeyPem: options.keys.publicKeyPem,
    },
    options.keys.privateKeyPem,
  );
  await checkHubPin(options.hubUrl, token.caPin);
  const response = await requestJson(new URL('/api/v1/activate', options.hubUrl), {
    body: request,
    timeoutMillis: activationTimeoutMillis,
  });
  const body = parseOrEmpty(response.text) as { code?: string; message?: string };
  if (response.status < 200 || response.status >= 300) {
    throw new ConfigError(
      `the hub refused activation (${body.code ?? response.status}): ${body.message ?? ''}`,
    );
  }

  const contents = await openActivationResponse(
    body as Parameters<typeof openActivationResponse>[0],
    {
      caPin: token.caPin,
      ...options.keys,
    },
  );
  const hub = await verifyCertificate(
    contents.hubCertificatePem,
    (body as { caCertificatePem: string }).caCertificatePem,
  );
  const identity: ComponentIdentity = {
    componentId: contents.componentId,
    hubId: contents.hubId,
    hubUrl: options.hubUrl,
    caCertificatePem: (body as { caCertificatePem: string }).caCertificatePem,
    certificatePem: contents.certificatePem,
    hubCertificatePem: contents.hubCertificatePem,
    hubPublicKeyPem: hub.publicKeyPem,
    policy: contents.policy,
  };
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  await writeFileDurably(join(options.dataDir, identityFile), JSON.stringify(identity, null, 2));
  return identity;
}

/** Refuses, before any use of the token is spent, a hub whose CA is not the token's. */
async function checkHubPin(hubUrl: string, caPin: string): Promise<void> {
  if (!URL.canParse(hubUrl) || !/^https?:$/.test(new URL(hubUrl).protocol)) {
    throw new ConfigError(`--hub must be the hub's address, such as http://hub.example:8080`);
  }
  const response = await requestJson(new URL('/api/v1/ca', hubUrl), {
    timeoutMillis: activationTimeoutMillis,
  }).catch((error: unknown) => {
    throw new ConfigError(`cannot reach the hub at ${hubUrl}: ${(error as Error).message}`);
  });
  const body = parseOrEmpty(response.text) as { caCertificatePem?: unknown };
  const answered = response.status >= 200 && response.status < 300;
  if (!answered || typeof body.caCertificatePem !== 'string') {
    throw new ConfigError(`${hubUrl} does not answer like a Strata hub (${response.status})`);
  }
  if (certificatePin(body.caCertificatePem) !== caPin) {
    throw new ConfigError(
      `the hub at ${hubUrl} belongs to another site than this activation token; ` +
        'check the address, or create a token on this hub',
    );
  }
}

/** A JSON answer, or {} when the body is not JSON (a proxy's error page, say). */
function parseOrEmpty(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
