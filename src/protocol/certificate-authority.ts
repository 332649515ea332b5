import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { Utf8String } from 'asn1js';
import { policyExtensionOid } from './certificate-check.js';

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

// Components check and read certificates with node:crypto alone (certificate-check.ts).
export {
  certificatePin,
  policyExtensionOid,
  verifyCertificate,
  type VerifiedCertificate,
} from './certificate-check.js';

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

function encodePolicy(policy: object): ArrayBuffer {
  return new Utf8String({ value: JSON.stringify(policy) }).toBER();
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
