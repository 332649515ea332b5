import { certificatePin, verifyCertificate } from './certificate-check.js';
import { keyFingerprint } from './key-pair.js';
import { openSealed, sealFor, signBytes, verifyBytes, type SealedBox } from './sealed-box.js';

export type ComponentKind = 'agent' | 'collector';

/** What a component sends to activate: its public key, the token, and proof it holds the key. */
export interface ActivationRequest {
  tokenSecret: string;
  kind: ComponentKind;
  name: string;
  publicKeyPem: string;
  requestedAt: string; // ISO 8601
  proof: string; // base64 RSA-PSS signature over `proofBytes(...)`
}

/** What the hub puts in the bundle, encrypted to the component. */
export interface ActivationContents {
  componentId: string;
  certificatePem: string;
  hubId: string;
  hubCertificatePem: string;
  policy: Record<string, unknown>;
}

/** The hub's answer: the sealed bundle, signed by the site CA, with the CA certificate. */
export interface ActivationResponse {
  caCertificatePem: string;
  bundle: string; // base64 of the JSON of a SealedBox
  signature: string; // base64 RSA-PSS signature of the CA key over the bundle's bytes
}

function proofBytes(request: Omit<ActivationRequest, 'proof'>): Buffer {
  const fields = ['strata-activation-v1', request.kind, request.name, request.requestedAt];
  fields.push(keyFingerprint(request.publicKeyPem), request.tokenSecret);
  return Buffer.from(fields.join('\n'));
}

/** Builds a signed activation request for a component. */
export function buildActivationRequest(
  fields: Omit<ActivationRequest, 'proof' | 'requestedAt'>,
  privateKeyPem: string,
  now = new Date(),
): ActivationRequest {
  const unsigned = { ...fields, requestedAt: now.toISOString() };
  const proof = signBytes(privateKeyPem, proofBytes(unsigned)).toString('base64');
  return { ...unsigned, proof };
}

/** True when the request was signed by the private half of the key it carries. */
export function verifyActivationProof(request: ActivationRequest): boolean {
  const { proof, ...unsigned } = request;
  return verifyBytes(request.publicKeyPem, proofBytes(unsigned), Buffer.from(proof, 'base64'));
}

/** Seals the contents to the component's key and signs the sealed bytes with the CA key. */
export function sealActivationResponse(
  contents: ActivationContents,
  componentPublicKeyPem: string,
  ca: { certificatePem: string; privateKeyPem: string },
): ActivationResponse {
  const box = sealFor(componentPublicKeyPem, Buffer.from(JSON.stringify(contents)));
  const bundle = Buffer.from(JSON.stringify(box));
  return {
    caCertificatePem: ca.certificatePem,
    bundle: bundle.toString('base64'),
    signature: signBytes(ca.privateKeyPem, bundle).toString('base64'),
  };
}

/**
 * Checks the hub's answer before trusting any of it: the CA must match the token's pin, the
 * bundle must carry the CA's signature, and both certificates inside must chain to the CA,
 * the component's own one holding the component's own public key.
 */
export async function openActivationResponse(
  response: ActivationResponse,
  expected: { caPin: string; privateKeyPem: string; publicKeyPem: string },
): Promise<ActivationContents> {
  if (certificatePin(response.caCertificatePem) !== expected.caPin) {
    throw new Error('the hub presented a CA that does not match the activation token');
  }
  const caKey = (await verifyCertificate(response.caCertificatePem, response.caCertificatePem))
    .publicKeyPem;
  const bundle = Buffer.from(response.bundle, 'base64');
  if (!verifyBytes(caKey, bundle, Buffer.from(response.signature, 'base64'))) {
    throw new Error('the activation bundle is not signed by the site CA');
  }

  const box = JSON.parse(bundle.toString('utf8')) as SealedBox;
  const contents = JSON.parse(
    openSealed(expected.privateKeyPem, box).toString('utf8'),
  ) as ActivationContents;
  const own = await verifyCertificate(contents.certificatePem, response.caCertificatePem);
  if (keyFingerprint(own.publicKeyPem) !== keyFingerprint(expected.publicKeyPem)) {
    throw new Error('the issued certificate does not hold this component’s key');
  }
  const hub = await verifyCertificate(contents.hubCertificatePem, response.caCertificatePem);
  if (hub.kind !== 'hub' || hub.subjectId !== contents.hubId) {
    throw new Error('the hub certificate in the bundle is not the hub’s');
  }
  return contents;
}
