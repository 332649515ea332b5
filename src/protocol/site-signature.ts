import { X509Certificate, sign, verify } from 'node:crypto';

/**
 * Signatures by the site CA's key over a text, for a stated purpose. The CA key also signs
 * certificates and activation bundles: the purpose goes in front of the signed bytes, so a
 * signature made for one purpose never passes for another. RSASSA-PKCS1-v1_5 with SHA-256.
 */
export function signForSite(purpose: string, text: string, caPrivateKeyPem: string): string {
  return sign('sha256', purposeBytes(purpose, text), caPrivateKeyPem).toString('base64');
}

/** True when `signature` (base64) is the site CA's over `text` for `purpose`. */
export function verifySiteSignature(
  purpose: string,
  text: string,
  signature: string,
  caCertificatePem: string,
): boolean {
  const caKey = new X509Certificate(caCertificatePem).publicKey;
  return verify('sha256', purposeBytes(purpose, text), caKey, Buffer.from(signature, 'base64'));
}

function purposeBytes(purpose: string, text: string): Buffer {
  return Buffer.from(`strata ${purpose}\n${text}`, 'utf8');
}
