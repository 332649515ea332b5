import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { Utf8String, fromBER } from 'asn1js';

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * Object identifier of the extension that carries a component's policy as JSON.
 * Not yet: the arc is IANA's example enterprise number (RFC 5612); it moves to Strata's own
 * enterprise number once one is assigned, and readers will then accept both.
 */
export const policyExtensionOid = '1.3.6.1.4.1.32473.7401.1';

/** How long a component certificate stays valid, in days, unless a policy says otherwise. */
export const componentCertificateDays = 365;
/** How long the site's own CA certificate stays valid, in days. */
export const caCertificateDays = 3_650;
// Certificates are back-dated a little so a component whose clock runs slow accepts them.
const clockSkewMillis = 5 * 60_000;

const signingAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export interface IssuedCertificate {
  pem: string;
  serial: string;
  notAfter: Date;
}

export interface CertificateRequest {
  subjectId: string; // the component's id
  kind: 'hub' | 'agent' | 'collector';
  publicKeyPem: string;
  policy: object;
  validDays?: number;
  now?: Date;
}

/** The site's certificate authority: its own certificate and signing key. */
export class CertificateAuthority {
  private constructor(
    readonly certificatePem: string,
    private readonly signingKey: CryptoKey,
  ) {}

  /** Makes a new self-signed CA for a site. */
  static async create(siteId: string, privateKeyPem: string, publicKeyPem: string) {
    const keys = {
      privateKey: await importPrivateKey(privateKeyPem),
      publicKey: await importPublicKey(publicKeyPem),
    };
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `CN=Strata site CA ${siteId}, O=Strata`,
      notBefore: new Date(now - clockSkewMillis),
      notAfter: new Date(now + caCertificateDays * 86_400_000),
      keys,
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign),
      ],
    });
    return new CertificateAuthority(cert.toString('pem'), keys.privateKey);
  }

  /** Loads an existing CA from its certificate and private key. */
  static async load(certificatePem: string, privateKeyPem: string) {
    return new CertificateAuthority(certificatePem, await importPrivateKey(privateKeyPem));
  }

  /** Issues a certificate for a component, its policy carried in an extension. */
  async issue(request: CertificateRequest): Promise<IssuedCertificate> {
    const now = (request.now ?? new Date()).getTime();
    const validDays = request.validDays ?? componentCertificateDays;
    const caCert = new x509.X509Certificate(this.certificatePem);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${request.subjectId}, OU=${request.kind}, O=Strata`,
      issuer: caCert.subject,
      notBefore: new Date(now - clockSkewMillis),
      notAfter: new Date(now + validDays * 86_400_000),
      publicKey: await importPublicKey(request.publicKeyPem),
      signingKey: this.signingKey,
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.Extension(policyExtensionOid, false, encodePolicy(request.policy)),
      ],
    });
    return { pem: cert.toString('pem'), serial: cert.serialNumber, notAfter: cert.notAfter };
  }
}

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
  const cert = new x509.X509Certificate(certificatePem);
  const ca = new x509.X509Certificate(caCertificatePem);
  const signedByCa = await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
  if (!signedByCa) throw new Error('certificate is not signed by the site CA');
  if (now < cert.notBefore || now > cert.notAfter) throw new Error('certificate has expired');

  const subject = new x509.Name(cert.subject).toJSON();
  const field = (name: string) => subject.find((part) => part[name])?.[name]?.[0] ?? '';
  const extension = cert.getExtension(policyExtensionOid);
  const publicKeyDer = Buffer.from(cert.publicKey.rawData);
  return {
    subjectId: field('CN'),
    kind: field('OU'),
    serial: cert.serialNumber,
    notAfter: cert.notAfter,
    publicKeyPem: derToPem(publicKeyDer, 'PUBLIC KEY'),
    policy: extension ? decodePolicy(extension.value) : {},
  };
}

/** SHA-256 of the certificate's DER bytes, base64url: what an activation token pins. */
export function certificatePin(certificatePem: string): string {
  const der = Buffer.from(new x509.X509Certificate(certificatePem).rawData);
  return createHash('sha256').update(der).digest('base64url');
}

function encodePolicy(policy: object): ArrayBuffer {
  return new Utf8String({ value: JSON.stringify(policy) }).toBER();
}

function decodePolicy(value: ArrayBuffer): Record<string, unknown> {
  const parsed = fromBER(value);
  if (parsed.offset === -1 || !(parsed.result instanceof Utf8String)) {
    throw new Error('certificate policy extension is not a UTF8String');
  }
  return JSON.parse(parsed.result.valueBlock.value) as Record<string, unknown>;
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // a positive INTEGER
  return bytes.toString('hex');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = pemToDer(pem);
  return webcrypto.subtle.importKey('pkcs8', der, signingAlgorithm, false, ['sign']);
}

async function importPublicKey(pem: string): Promise<CryptoKey> {
  const der = pemToDer(pem);
  return webcrypto.subtle.importKey('spki', der, signingAlgorithm, true, ['verify']);
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function derToPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
