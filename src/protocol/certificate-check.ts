/**
 * Checking and reading a component certificate with node:crypto alone. Components (the agent
 * above all) check certificates at activation, on every collector list and on policy renewal;
 * issuing them is the hub's (certificate-authority.ts), and only the hub loads the X.509
 * library that issuing needs, several MiB of memory an endpoint would otherwise keep.
 */
import { createHash, X509Certificate } from 'node:crypto';
import {
  Constructed,
  fromBER,
  Integer,
  ObjectIdentifier,
  OctetString,
  Sequence,
  Utf8String,
} from 'asn1js';

/**
 * Object identifier of the extension that carries a component's policy as JSON.
 * Not yet: the arc is IANA's example enterprise number (RFC 5612); it moves to Strata's own
 * enterprise number once one is assigned, and readers will then accept both.
 */
export const policyExtensionOid = '1.3.6.1.4.1.32473.7401.1';

/** What a component learns from its certificate after checking it. */
export interface VerifiedCertificate {
  subjectId: string;
  kind: string;
  serial: string;
  notAfter: Date;
  publicKeyPem: string;
  policy: Record<string, unknown>;
}

/**
 * Checks that `certificatePem` was signed by the CA and is valid at `now`, and reads it.
 * Throws with a plain reason when it is not.
 */
export async function verifyCertificate(
  certificatePem: string,
  caCertificatePem: string,
  now = new Date(),
): Promise<VerifiedCertificate> {
  const cert = new X509Certificate(certificatePem);
  const ca = new X509Certificate(caCertificatePem);
  if (!cert.verify(ca.publicKey)) throw new Error('certificate is not signed by the site CA');
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore || now > notAfter) throw new Error('certificate has expired');

  const fields = readTbsFields(cert.raw);
  const subject = cert.subject.split('\n');
  const field = (name: string) =>
    subject.find((part) => part.startsWith(`${name}=`))?.slice(name.length + 1) ?? '';
  const publicKeyPem = cert.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    subjectId: field('CN'),
    kind: field('OU'),
    serial: fields.serial,
    notAfter,
    publicKeyPem,
    policy: fields.policyValue ? decodePolicy(fields.policyValue) : {},
  };
}

/** SHA-256 of the certificate's DER bytes, base64url: what an activation token pins. */
export function certificatePin(certificatePem: string): string {
  const der = new X509Certificate(certificatePem).raw;
  return createHash('sha256').update(der).digest('base64url');
}

// Reading the serial and the policy extension goes through asn1js, a small library beside
// node:crypto; the full X.509 library stays with the hub, which issues certificates.
function readTbsFields(der: Buffer): { serial: string; policyValue: ArrayBuffer | null } {
  const parsed = fromBER(new Uint8Array(der));
  const certificate = parsed.result;
  if (parsed.offset === -1 || !(certificate instanceof Sequence))
    throw new Error('certificate does not read as DER');
  const tbs = certificate.valueBlock.value[0];
  if (!(tbs instanceof Sequence)) throw new Error('certificate has no tbsCertificate');
  const parts = tbs.valueBlock.value;
  const serialElement = parts[parts[0] instanceof Constructed && isTagged(parts[0], 0) ? 1 : 0];
  if (!(serialElement instanceof Integer)) throw new Error('certificate has no serial number');

  let policyValue: ArrayBuffer | null = null;
  const extensions = parts.find((part) => part instanceof Constructed && isTagged(part, 3));
  const list = (extensions as Constructed | undefined)?.valueBlock.value[0];
  for (const extension of list instanceof Sequence ? list.valueBlock.value : []) {
    if (!(extension instanceof Sequence)) continue;
    const [id, ...rest] = extension.valueBlock.value;
    if (!(id instanceof ObjectIdentifier) || id.valueBlock.toString() !== policyExtensionOid)
      continue;
    const value = rest.at(-1);
    if (!(value instanceof OctetString)) throw new Error('certificate extension is malformed');
    policyValue = value.valueBlock.valueHexView.slice().buffer;
  }
  return { serial: serialHex(serialElement), policyValue };
}

function isTagged(element: Constructed, number: number): boolean {
  return element.idBlock.tagClass === 3 && element.idBlock.tagNumber === number;
}

// A leading zero octet only keeps a large serial positive; it is not part of the number.
function serialHex(serial: Integer): string {
  let bytes = Buffer.from(serial.valueBlock.valueHexView);
  if (bytes.length > 1 && bytes[0] === 0 && bytes[1]! > 0x7f) bytes = bytes.subarray(1);
  return bytes.toString('hex');
}

function decodePolicy(value: ArrayBuffer): Record<string, unknown> {
  const parsed = fromBER(value);
  if (parsed.offset === -1 || !(parsed.result instanceof Utf8String))
    throw new Error('certificate policy extension is not a UTF8String');
  return JSON.parse(parsed.result.valueBlock.value) as Record<string, unknown>;
}
