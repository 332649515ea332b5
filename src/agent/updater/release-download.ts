import { createHash } from 'node:crypto';
import { get as plainGet } from 'node:http';
import { get as tlsGet } from 'node:https';
import type { ReleaseManifest, ReleaseRefusal } from '../../protocol/release-manifest.js';

/** Longest a bundle download may stay silent before it is given up: 5 minutes. */
export const downloadTimeoutMillis = 5 * 60_000;

export type Download =
  | { status: 'fetched'; bundle: Buffer }
  | { status: 'refused'; reason: Extract<ReleaseRefusal, 'size_mismatch' | 'digest_mismatch'> }
  | { status: 'failed'; detail: string };

/**
 * Fetches a release bundle over plain HTTP and keeps it only when its size and SHA-256 are the
 * ones the signed manifest gives. Reading stops as soon as more bytes arrive than the manifest
 * allows, so a hostile server cannot fill the disk or the memory.
 */
export async function downloadBundle(url: URL, manifest: ReleaseManifest): Promise<Download> {
  // node:http rather than fetch: fetch keeps undici's parser resident, memory the agent lacks.
  const get = url.protocol === 'https:' ? tlsGet : plainGet;
  const read = await new Promise<Download | { status: 'read'; chunks: Buffer[] }>((resolve) => {
    const request = get(url, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve({ status: 'failed', detail: `the hub answered ${response.statusCode}` });
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength;
        if (bytes > manifest.sizeBytes) {
          resolve({ status: 'refused', reason: 'size_mismatch' });
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: 'read', chunks }));
      response.on('error', (error) => resolve({ status: 'failed', detail: error.message }));
    });
    request.setTimeout(downloadTimeoutMillis, () =>
      request.destroy(new Error(`no bundle within ${downloadTimeoutMillis} ms`)),
    );
    request.on('error', (error) => resolve({ status: 'failed', detail: error.message }));
  });
  if (read.status !== 'read') return read;

  const bundle = Buffer.concat(read.chunks);
  if (bundle.byteLength !== manifest.sizeBytes)
    return { status: 'refused', reason: 'size_mismatch' };
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  if (sha256 !== manifest.sha256) return { status: 'refused', reason: 'digest_mismatch' };
  return { status: 'fetched', bundle };
}
