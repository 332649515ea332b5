import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChannelClient } from '../../protocol/channel-client.js';
import {
  openSignedManifest,
  releaseBundlePath,
  type ReleaseRefusal,
} from '../../protocol/release-manifest.js';
import { compareVersions } from '../../protocol/release-version.js';
import type { Logger } from '../../shared/logger.js';
import type { ComponentIdentity } from '../agent-identity.js';
import { selfCheck } from './bundle-self-check.js';
import { failedVersions, installBundle, markFailed } from './bundle-swap.js';
import { downloadBundle } from './release-download.js';

/** What one check for a newer release came to. */
export type UpdateOutcome =
  | { status: 'off' }
  | { status: 'current' }
  | { status: 'unreachable'; detail: string }
  | { status: 'refused'; reason: ReleaseRefusal; version?: string }
  | { status: 'skipped'; version: string; detail: string }
  | { status: 'installed'; version: string; bundlePath: string; previousPath: string };

export interface ReleaseCheckContext {
  hub: ChannelClient;
  identity: ComponentIdentity;
  dataDir: string;
  log: Logger;
  runningVersion: string;
  /** The bundle file to replace; null when the agent does not run from one. */
  bundlePath: string | null;
  /** Counts and logs a refusal, and gives the outcome that says so. */
  refuse: (reason: ReleaseRefusal, detail: string, version?: string) => UpdateOutcome;
}

/**
 * One check: asks the hub over the sealed channel for a newer release, trusts its manifest
 * only under the CA pinned at activation, refuses downgrades, fetches the bundle over plain
 * HTTP, checks its size and SHA-256, tries it and swaps it in. Every refusal goes through
 * `refuse`; the running bundle is touched only by a release that passed every check.
 */
export async function checkForRelease(context: ReleaseCheckContext): Promise<UpdateOutcome> {
  const { identity, dataDir, runningVersion, bundlePath, refuse } = context;
  const answer = await context.hub.request('/api/v1/agent/release', { version: runningVersion });
  if (answer.kind !== 'reply') return { status: 'unreachable', detail: answer.code };
  const offered = (answer.body as { release?: unknown }).release;
  if (offered === null || offered === undefined) return { status: 'current' };

  const opened = openSignedManifest(offered, identity.caCertificatePem);
  if (opened.status === 'refused') return refuse(opened.reason, opened.detail);
  const { version } = opened.manifest;
  if (compareVersions(version, runningVersion) <= 0) {
    return refuse('downgrade', `${version} is not newer than ${runningVersion}`, version);
  }
  if ((await failedVersions(dataDir)).has(version)) {
    return { status: 'skipped', version, detail: 'it did not stay up when installed before' };
  }
  if (!bundlePath) {
    const detail = 'the agent does not run from a bundle file (.mjs) it could replace';
    return { status: 'skipped', version, detail };
  }
  // Found out before the download, so an agent without the right to swap fetches nothing.
  if (!(await writable(dirname(bundlePath)))) {
    const detail = `the agent may not write to ${dirname(bundlePath)}, where its bundle is`;
    return { status: 'skipped', version, detail };
  }

  const url = new URL(releaseBundlePath(version), identity.hubUrl);
  const download = await downloadBundle(url, opened.manifest);
  if (download.status === 'failed') return { status: 'unreachable', detail: download.detail };
  if (download.status === 'refused') {
    return refuse(download.reason, 'the bundle does not match its signed manifest', version);
  }
  const installed = await installBundle({
    ...{ dataDir, bundlePath, bundle: download.bundle, version, runningVersion },
    check: (staged) => selfCheck(staged, version),
  });
  if (installed.status === 'check_failed') {
    // The same bytes would fail the same way at every check: that version is not fetched again.
    await markFailed(dataDir, version);
    return refuse('failed_self_check', installed.detail, version);
  }
  context.log.info(
    { version, previous: runningVersion, bundlePath },
    'new agent version installed; restarting into it',
  );
  return { status: 'installed', version, bundlePath, previousPath: installed.pending.previousPath };
}

async function writable(folder: string): Promise<boolean> {
  return access(folder, constants.W_OK).then(
    () => true,
    () => false,
  );
}
