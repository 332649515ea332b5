import { generateKeyPair, createPublicKey, createHash, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Every component's key pair: RSA with this modulus length, in bits. */
export const rsaModulusBits = 2048;

export interface KeyPairPem {
  privateKeyPem: string; // PKCS#8
  publicKeyPem: string; // SPKI
}

/** Makes a new RSA-2048 key pair. */
export async function createKeyPair(): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: rsaModulusBits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * Loads the private key in `path`, or makes a key pair and writes it there readable by its
 * owner only (mode 0600). The public key is always derived from the private one.
 */
export async function loadOrCreateKeyPair(path: string): Promise<KeyPairPem> {
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing) return { privateKeyPem: existing, publicKeyPem: publicPemOf(existing) };

  const pair = await createKeyPair();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600); // the umask may have widened it
  return pair;
}

export function publicPemOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}

/** SHA-256 of a public key's DER encoding, base64url: a short name for a key. */
export function keyFingerprint(key: string | KeyObject): string {
  const object = typeof key === 'string' ? createPublicKey(key) : key;
  const der = object.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}
