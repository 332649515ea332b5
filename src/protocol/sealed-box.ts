import {
  constants,
  createCipheriv,
  createDecipheriv,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';

/** AES-128 in GCM: 16-byte keys, 12-byte nonces, 16-byte tags. */
export const aesKeyBytes = 16;
const nonceBytes = 12;
const tagBytes = 16;

/** A payload encrypted for one RSA key holder: a fresh AES key wrapped with RSA-OAEP. */
export interface SealedBox {
  wrappedKey: string; // base64
  nonce: string; // base64
  ciphertext: string; // base64, GCM tag appended
}

/** Encrypts `plaintext` so only the holder of the private half of `publicKeyPem` can read it. */
export function sealFor(publicKeyPem: string, plaintext: Buffer): SealedBox {
  const key = randomBytes(aesKeyBytes);
  const nonce = randomBytes(nonceBytes);
  return {
    wrappedKey: wrapKey(publicKeyPem, key).toString('base64'),
    nonce: nonce.toString('base64'),
    ciphertext: aesEncrypt(key, nonce, plaintext, Buffer.alloc(0)).toString('base64'),
  };
}

/** Opens a sealed box; throws when the key does not fit or the box was altered. */
export function openSealed(privateKeyPem: string, box: SealedBox): Buffer {
  const key = unwrapKey(privateKeyPem, Buffer.from(box.wrappedKey, 'base64'));
  return aesDecrypt(key, Buffer.from(box.nonce, 'base64'), Buffer.from(box.ciphertext, 'base64'));
}

export function wrapKey(publicKeyPem: string, key: Buffer): Buffer {
  return publicEncrypt(
    { key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    key,
  );
}

export function unwrapKey(privateKeyPem: string, wrapped: Buffer): Buffer {
  const key = privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    wrapped,
  );
  if (key.length !== aesKeyBytes) throw new Error('wrapped key has the wrong length');
  return key;
}

/** AES-128-GCM; returns ciphertext with the tag appended. */
export function aesEncrypt(key: Buffer, nonce: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-gcm', key, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Reverses `aesEncrypt`; throws when the ciphertext, tag or associated data were altered. */
export function aesDecrypt(
  key: Buffer,
  nonce: Buffer,
  sealed: Buffer,
  aad: Buffer = Buffer.alloc(0),
): Buffer {
  if (nonce.length !== nonceBytes || sealed.length < tagBytes) {
    throw new Error('ciphertext is too short');
  }
  const decipher = createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
  return Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - tagBytes)),
    decipher.final(),
  ]);
}

export function newNonce(): Buffer {
  return randomBytes(nonceBytes);
}

/** RSA-PSS with SHA-256 over `data`. */
export function signBytes(privateKeyPem: string, data: Buffer): Buffer {
  return sign('sha256', data, { key: privateKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING });
}

export function verifyBytes(publicKeyPem: string, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(
      'sha256',
      data,
      { key: publicKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING },
      signature,
    );
  } catch {
    return false; // a signature of the wrong size is simply not valid
  }
}
