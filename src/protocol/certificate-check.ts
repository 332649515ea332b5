/**
 * Checking and reading a component certificate with node:crypto alone. Components (the agent
 * above all) check certificates at activation, on every collector list and on policy renewal;
 * issuing them is the hub's (certificate-authority.ts), and only the hub loads the X.509
 * library that issuing needs, several MiB of memory an endpoint would otherwise keep.
 */
import { createHash, X509Certificate } from 'node:crypto';

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

// The few DER elements a reader needs: tag, length and where the contents lie.
interface DerElement {
  tag: number;
  start: number;
  end: number;
}

function readElement(der: Buffer, offset: number): DerElement {
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new Error('certificate has a malformed DER length');
    length = der.readUIntBE(start, octets);
    start += octets;
  }
  if (start + length > der.length) throw new Error('certificate DER is cut short');
  return { tag, start, end: start + length };
}

function children(der: Buffer, parent: DerElement): DerElement[] {
  const found: DerElement[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const element = readElement(der, offset);
    found.push(element);
    offset = element.end;
  }
  return found;
}

const derTags = { octetString: 0x04, objectId: 0x06, utf8String: 0x0c, explicitThree: 0xa3 };
const policyOidDer = encodeOid(policyExtensionOid);

// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version?, serialNumber, ...,
// [3] extensions SEQUENCE OF SEQUENCE { extnID, critical?, extnValue OCTET STRING } } }
function readTbsFields(der: Buffer): { serial: string; policyValue: Buffer | null } {
  const tbs = children(der, readElement(der, 0))[0]!;
  const tbsParts = children(der, tbs);
  const serialElement = tbsParts[tbsParts[0]!.tag === 0xa0 ? 1 : 0]!;
  let serial = der.subarray(serialElement.start, serialElement.end);
  // A leading zero octet only keeps a large serial positive; it is not part of the number.
  if (serial.length > 1 && serial[0] === 0 && serial[1]! > 0x7f) serial = serial.subarray(1);

  let policyValue: Buffer | null = null;
  const extensions = tbsParts.find((part) => part.tag === derTags.explicitThree);
  for (const extension of extensions ? children(der, children(der, extensions)[0]!) : []) {
    const parts = children(der, extension);
    const id = parts[0]!;
    if (id.tag !== derTags.objectId || !der.subarray(id.start, id.end).equals(policyOidDer)) {
      continue;
    }
    const value = parts.at(-1)!;
    if (value.tag !== derTags.octetString) throw new Error('certificate extension is malformed');
    policyValue = der.subarray(value.start, value.end);
  }
  return { serial: serial.toString('hex'), policyValue };
}

function decodePolicy(value: Buffer): Record<string, unknown> {
  const text = value.length > 0 ? readElement(value, 0) : null;
  if (!text || text.tag !== derTags.utf8String || text.end !== value.length) {
    throw new Error('certificate policy extension is not a UTF8String');
  }
  return JSON.parse(value.subarray(text.start, text.end).toString('utf8')) as Record<
    string,
    unknown
  >;
}

function encodeOid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const octets: number[] = [first! * 40 + second!];
  for (const arc of rest) {
    const base128: number[] = [arc & 0x7f];
    for (
      let remaining = Math.floor(arc / 128);
      remaining > 0;
      remaining = Math.floor(remaining / 128)
    ) {
      base128.unshift((remaining & 0x7f) | 0x80);
    }
    octets.push(...base128);
  }
  return Buffer.from(octets);
}
