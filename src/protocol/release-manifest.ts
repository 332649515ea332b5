import { isReleaseVersion } from './release-version.js';
import { signForSite, verifySiteSignature } from './site-signature.js';

/** What the hub signs about an agent release: its version and the exact bytes of its bundle. */
export interface ReleaseManifest {
  schema: 'strata.agent-release.v1';
  version: string;
  /** SHA-256 of the bundle, lowercase hex. */
  sha256: string;
  sizeBytes: number;
  /** When the release was published, ISO 8601. */
  createdAt: string;
}

/**
 * A manifest as it travels: the JSON text exactly as signed, and the site CA's signature over
 * it (RSASSA-PKCS1-v1_5 with SHA-256, base64). Verifying the text before parsing it means no
 * canonical form of JSON is needed.
 */
export interface SignedManifest {
  manifest: string;
  signature: string;
}

/** Why a release offered to an agent was refused; each is counted and logged at warn. */
export type ReleaseRefusal =
  | 'unsigned'
  | 'bad_signature'
  | 'malformed_manifest'
  | 'downgrade'
  | 'size_mismatch'
  | 'digest_mismatch'
  /** The bundle did not start, or reported another version, when tried before the swap. */
  | 'failed_self_check';

/** What a manifest signature is for; see site-signature.ts. */
const signingPurpose = 'agent release manifest v1';
/**
 * Largest bundle a release may carry, in bytes: 16 MiB (the agent bundle is about 1 MiB); an
 * agent holds a bundle in memory while it checks it.
 */
export const maxReleaseBytes = 16 * 1024 * 1024;

/** Path of a release's bundle on every hub; agents fetch it over plain HTTP. */
export function releaseBundlePath(version: string): string {
  return `/api/v1/agent-releases/${encodeURIComponent(version)}/bundle`;
}

/** Signs a manifest with the site CA's private key. */
export function signManifest(manifest: ReleaseManifest, caPrivateKeyPem: string): SignedManifest {
  const text = JSON.stringify(manifest);
  return { manifest: text, signature: signForSite(signingPurpose, text, caPrivateKeyPem) };
}

export type ManifestCheck =
  | { status: 'trusted'; manifest: ReleaseManifest }
  | { status: 'refused'; reason: ReleaseRefusal; detail: string };

/**
 * Checks a signed manifest against the CA certificate the component pinned at activation and
 * reads it. Nothing in the manifest is looked at before the signature verifies.
 */
export function openSignedManifest(signed: unknown, caCertificatePem: string): ManifestCheck {
  const candidate = signed as Partial<SignedManifest> | null;
  if (typeof candidate?.manifest !== 'string') {
    return { status: 'refused', reason: 'malformed_manifest', detail: 'no manifest text' };
  }
  if (typeof candidate.signature !== 'string' || candidate.signature.length === 0) {
    return { status: 'refused', reason: 'unsigned', detail: 'the manifest carries no signature' };
  }
  const { manifest: text, signature } = candidate;
  if (!verifySiteSignature(signingPurpose, text, signature, caCertificatePem)) {
    return {
      status: 'refused',
      reason: 'bad_signature',
      detail: 'the manifest is not signed by this site’s CA',
    };
  }
  const manifest = parseManifest(candidate.manifest);
  if (!manifest) {
    return { status: 'refused', reason: 'malformed_manifest', detail: 'unreadable fields' };
  }
  return { status: 'trusted', manifest };
}

function parseManifest(text: string): ReleaseManifest | null {
  let value: Partial<ReleaseManifest>;
  try {
    value = JSON.parse(text) as Partial<ReleaseManifest>;
  } catch {
    return null;
  }
  const wellFormed =
    value.schema === 'strata.agent-release.v1' &&
    typeof value.version === 'string' &&
    isReleaseVersion(value.version) &&
    typeof value.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(value.sha256) &&
    Number.isSafeInteger(value.sizeBytes) &&
    value.sizeBytes! > 0 &&
    value.sizeBytes! <= maxReleaseBytes &&
    typeof value.createdAt === 'string';
  return wellFormed ? (value as ReleaseManifest) : null;
}
