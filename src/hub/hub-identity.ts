import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CertificateAuthority,
  certificatePin,
  verifyCertificate,
} from '../protocol/certificate-authority.js';
import { loadOrCreateKeyPair, type KeyPairPem } from '../protocol/key-pair.js';
import { ConfigError } from '../shared/errors.js';
import type { Store } from '../store/store.js';

/** What a hub needs to sign certificates and to receive sealed messages. */
export interface HubIdentity {
  siteId: string;
  hubId: string;
  ca: CertificateAuthority;
  caKeys: KeyPairPem;
  caPin: string;
  hubKeys: KeyPairPem;
  hubCertificatePem: string;
}

interface SiteSetting {
  siteId: string;
  caCertificatePem: string;
}

/**
 * Loads the site's CA and this hub's own key and certificate, creating them on first start.
 * The CA certificate lives in the store (every hub of the site shares it); the private keys
 * live in the hub's data folder, readable by its user only.
 */
export async function loadHubIdentity(store: Store, dataDir: string): Promise<HubIdentity> {
  const caKeys = await loadOrCreateKeyPair(join(dataDir, 'ca-key.pem'));
  const site = await loadOrCreateSite(store, caKeys);
  const ca = await CertificateAuthority.load(site.caCertificatePem, caKeys.privateKeyPem);

  const hubKeys = await loadOrCreateKeyPair(join(dataDir, 'hub-key.pem'));
  const hubIdPath = join(dataDir, 'hub-id');
  const knownId = (await readFile(hubIdPath, 'utf8').catch(() => '')).trim();
  const rows = knownId
    ? await store.query<{ certificate_pem: string }>(
        "SELECT certificate_pem FROM components WHERE id = $1 AND kind = 'hub'",
        [knownId],
      )
    : [];
  if (rows[0]) {
    return {
      siteId: site.siteId,
      hubId: knownId,
      ca,
      caKeys,
      caPin: certificatePin(ca.certificatePem),
      hubKeys,
      hubCertificatePem: rows[0].certificate_pem,
    };
  }

  const hubId = randomUUID();
  const cert = await ca.issue({
    subjectId: hubId,
    kind: 'hub',
    publicKeyPem: hubKeys.publicKeyPem,
    policy: {},
    validDays: 3_650,
  });
  await store.query(
    `INSERT INTO components (id, kind, name, public_key_pem, certificate_pem,
       certificate_serial, certificate_not_after)
     VALUES ($1, 'hub', $2, $3, $4, $5, $6)`,
    [hubId, 'hub', hubKeys.publicKeyPem, cert.pem, cert.serial, cert.notAfter],
  );
  await writeFile(hubIdPath, `${hubId}\n`, { mode: 0o600 });
  return {
    siteId: site.siteId,
    hubId,
    ca,
    caKeys,
    caPin: certificatePin(ca.certificatePem),
    hubKeys,
    hubCertificatePem: cert.pem,
  };
}

async function loadOrCreateSite(store: Store, caKeys: KeyPairPem): Promise<SiteSetting> {
  const rows = await store.query<{ value: SiteSetting }>(
    "SELECT value FROM hub_settings WHERE key = 'site'",
  );
  const existing = rows[0]?.value;
  if (existing) {
    const ca = await CertificateAuthority.load(existing.caCertificatePem, caKeys.privateKeyPem);
    const test = await ca.issue({
      subjectId: 'key-check',
      kind: 'hub',
      publicKeyPem: caKeys.publicKeyPem,
      policy: {},
      validDays: 1,
    });
    const matches = await verifyCertificate(test.pem, existing.caCertificatePem).then(
      () => true,
      () => false,
    );
    if (!matches) {
      throw new ConfigError(
        `this store belongs to site ${existing.siteId}, whose CA key is not the one in this ` +
          'hub’s data folder; copy ca-key.pem from the site’s first hub into the data folder',
      );
    }
    return existing;
  }

  const siteId = randomUUID();
  const ca = await CertificateAuthority.create(siteId, caKeys.privateKeyPem, caKeys.publicKeyPem);
  const site = { siteId, caCertificatePem: ca.certificatePem };
  // Two hubs starting at once on an empty store: the first one's site wins, the other re-reads.
  await store.query(
    "INSERT INTO hub_settings (key, value) VALUES ('site', $1) ON CONFLICT (key) DO NOTHING",
    [JSON.stringify(site)],
  );
  return loadOrCreateSite(store, caKeys);
}
