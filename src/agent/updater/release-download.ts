import { createHash } from 'node:crypto';
import type { ReleaseManifest, ReleaseRefusal } from '../../protocol/release-manifest.js';

/** Longest a bundle download may take: 5 minutes. */
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
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(downloadTimeoutMillis) });
  } catch (error) {
    return { status: 'failed', detail: (error as Error).message };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    return { status: 'failed', detail: `the hub answered ${response.status}` };
  }

  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      if (bytes > manifest.sizeBytes) {
        await response.body.cancel().catch(() => undefined);
        return { status: 'refused', reason: 'size_mismatch' };
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    return { status: 'failed', detail: (error as Error).message };
  }
  if (bytes !== manifest.sizeBytes) return { status: 'refused', reason: 'size_mismatch' };

  const bundle = Buffer.concat(chunks);
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  if (sha256 !== manifest.sha256) return { status: 'refused', reason: 'digest_mismatch' };
  return { status: 'fetched', bundle };
}
