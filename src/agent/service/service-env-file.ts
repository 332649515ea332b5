/**
 * The environment file the unit reads: the hub's address and the activation token for the
 * agent's first start under the service. Root alone may read it (mode 0600), since the token
 * activates an agent until its uses run out; once the agent is activated it is ignored.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { ConfigError } from '../../shared/errors.js';

/** The variables `strata agent` reads when --hub and --token are not given. */
export const hubUrlVariable = 'STRATA_HUB_URL';
export const activationTokenVariable = 'STRATA_ACTIVATION_TOKEN';

export interface Activation {
  hubUrl?: string;
  token?: string;
}

/** Checks what goes into the file: systemd reads it line by line, unquoted. */
export function checkActivation(activation: Activation): void {
  const { hubUrl, token } = activation;
  if (hubUrl !== undefined) {
    const url = URL.canParse(hubUrl) ? new URL(hubUrl) : null;
    if (!url || !['http:', 'https:'].includes(url.protocol) || /\s/.test(hubUrl)) {
      throw new ConfigError(`--hub must be an http or https address, not "${hubUrl}"`);
    }
  }
  if (token !== undefined && !/^[\w.-]+$/.test(token)) {
    throw new ConfigError('--token must be an activation token as the hub printed it');
  }
}

/** Writes the file, keeping a value from an earlier install that is not given again. */
export async function writeEnvFile(path: string, activation: Activation): Promise<void> {
  const earlier = await readEnvFile(path);
  const values = {
    [hubUrlVariable]: activation.hubUrl ?? earlier[hubUrlVariable],
    [activationTokenVariable]: activation.token ?? earlier[activationTokenVariable],
  };
  const lines = Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${value}`);
  await writeFile(path, `# Read by strata-agent.service at start.\n${lines.join('\n')}\n`, {
    mode: 0o600,
  });
  // The mode above applies only to a new file.
  await chmod(path, 0o600);
}

async function readEnvFile(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}
