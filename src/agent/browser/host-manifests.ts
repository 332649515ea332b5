/**
 * Native messaging host manifests: the files that tell each browser which program answers the
 * Strata extension (`com.strata.agent`), and which extension may start it.
 */
import { join } from 'node:path';

/** The host's name, as the extension's `connectNative` asks for it. */
export const hostName = 'com.strata.agent';
/** The extension's id in Chromium-family browsers, fixed by the key in its manifest. */
export const chromiumExtensionId = 'cganbhlolckjpcfopbinoliojbpmmlnc';
/** The extension's id in Firefox (`browser_specific_settings.gecko.id`). */
export const firefoxExtensionId = 'page-timings@strata.invalid';

/** Where each browser looks for system-wide host manifests on Linux. */
export const systemManifestDirs: Record<string, string> = {
  chromium: '/etc/chromium/native-messaging-hosts',
  chrome: '/etc/opt/chrome/native-messaging-hosts',
  edge: '/etc/opt/edge/native-messaging-hosts',
  firefox: '/usr/lib/mozilla/native-messaging-hosts',
};

/** The manifest for one browser family, naming `hostPath` (an executable). */
export function hostManifest(browser: string, hostPath: string): Record<string, unknown> {
  const base = {
    name: hostName,
    description: 'Strata agent: page timings from the Strata browser extension',
    path: hostPath,
    type: 'stdio',
  };
  return browser === 'firefox'
    ? { ...base, allowed_extensions: [firefoxExtensionId] }
    : { ...base, allowed_origins: [`chrome-extension://${chromiumExtensionId}/`] };
}

/** Every system-wide manifest file to write, below `root` (default `/`). */
export function systemHostManifests(hostPath: string, root = '/') {
  return Object.entries(systemManifestDirs).map(([browser, dir]) => ({
    path: join(root, dir, `${hostName}.json`),
    text: `${JSON.stringify(hostManifest(browser, hostPath), null, 2)}\n`,
  }));
}

/** The shell script browsers start: the agent's browser host, with the spool baked in. */
export function hostScript(nodePath: string, mainPath: string, spoolDir: string): string {
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  // exec keeps the browser as the host's parent, which names the browser in the reports.
  return (
    '#!/bin/sh\n' +
    `exec ${quote(nodePath)} ${quote(mainPath)} agent browser-host ` +
    `--spool ${quote(spoolDir)} "$@"\n`
  );
}

/** Where `strata agent browser-install` puts the host script, below `root`. */
export function hostScriptPath(root = '/'): string {
  return join(root, 'usr/local/lib/strata/strata-browser-host');
}
