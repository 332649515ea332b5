import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../shared/errors.js';
import { readMovedStore } from '../store/store-location-file.js';

/** Settings shared by the commands; flags beat the environment, which beats the file. */
export interface Settings {
  dataDir: string;
  databaseUrl?: string;
  host?: string;
  port?: number;
  callbackIntervalSeconds?: number;
  maxCollectors?: number;
  /** Agents activated from now on install newer releases from the hub on their own. */
  agentAutoUpdate?: boolean;
  /** How often those agents ask for a newer release, in seconds. */
  agentUpdateCheckSeconds?: number;
}

/** Base folder for all local state unless told otherwise: `.strata` in the working folder. */
export const defaultDataDir = '.strata';

const fileKeys = [
  'dataDir',
  'databaseUrl',
  'host',
  'port',
  'callbackIntervalSeconds',
  'maxCollectors',
  'agentAutoUpdate',
  'agentUpdateCheckSeconds',
] as const;

/**
 * Resolves settings: command-line flags, then STRATA_* and DATABASE_URL variables, then the
 * JSON file named by --config or STRATA_CONFIG; for the database, last, the location a store
 * move recorded in the data folder (hub/store-location.json).
 */
export function resolveSettings(
  given: Partial<Settings> & {
    config?: string;
    callbackInterval?: number;
    agentUpdateCheck?: number;
  },
): Settings {
  // Commander names `--callback-interval` callbackInterval; the setting carries its unit.
  const { callbackInterval, agentUpdateCheck, ...rest } = given;
  const flags: Partial<Settings> & { config?: string } = {
    ...rest,
    callbackIntervalSeconds: rest.callbackIntervalSeconds ?? callbackInterval,
    agentUpdateCheckSeconds: rest.agentUpdateCheckSeconds ?? agentUpdateCheck,
  };
  const file = readConfigFile(flags.config ?? process.env.STRATA_CONFIG);
  const env = process.env;
  const pick = <K extends keyof Settings>(key: K, envValue: Settings[K] | undefined) =>
    flags[key] ?? envValue ?? file[key];
  const dataDir = resolve(pick('dataDir', env.STRATA_DATA_DIR) ?? defaultDataDir);
  const settings: Settings = {
    dataDir,
    // Last comes what `strata admin store move` recorded in the hub's data folder.
    databaseUrl:
      pick('databaseUrl', env.DATABASE_URL || undefined) ??
      readMovedStore(join(dataDir, 'hub'))?.databaseUrl,
    host: pick('host', env.STRATA_HOST),
    port: pick('port', numberOrUndefined(env.STRATA_PORT, 'STRATA_PORT')),
    callbackIntervalSeconds: pick(
      'callbackIntervalSeconds',
      numberOrUndefined(env.STRATA_CALLBACK_INTERVAL, 'STRATA_CALLBACK_INTERVAL'),
    ),
    maxCollectors: pick(
      'maxCollectors',
      numberOrUndefined(env.STRATA_MAX_COLLECTORS, 'STRATA_MAX_COLLECTORS'),
    ),
    agentAutoUpdate: pick('agentAutoUpdate', booleanOrUndefined(env.STRATA_AGENT_AUTO_UPDATE)),
    agentUpdateCheckSeconds: pick(
      'agentUpdateCheckSeconds',
      numberOrUndefined(env.STRATA_AGENT_UPDATE_CHECK, 'STRATA_AGENT_UPDATE_CHECK'),
    ),
  };
  checkSettings(settings);
  return settings;
}

/** Values from the environment or a file get the same checks as flags, with a plain message. */
function checkSettings(settings: Settings): void {
  const { port, callbackIntervalSeconds, maxCollectors, databaseUrl } = settings;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new ConfigError(`the port must be a whole number from 0 to 65535, not ${port}`);
  }
  if (callbackIntervalSeconds !== undefined) {
    const ok = Number.isInteger(callbackIntervalSeconds) && callbackIntervalSeconds >= 10;
    if (!ok) {
      throw new ConfigError(
        'the callback interval must be a whole number of seconds, at least 10, ' +
          `not ${callbackIntervalSeconds}`,
      );
    }
  }
  if (maxCollectors !== undefined && !(Number.isInteger(maxCollectors) && maxCollectors >= 0)) {
    throw new ConfigError(`the collector limit must be a whole number, not ${maxCollectors}`);
  }
  const { agentAutoUpdate, agentUpdateCheckSeconds: checkSeconds } = settings;
  if (agentAutoUpdate !== undefined && typeof agentAutoUpdate !== 'boolean') {
    throw new ConfigError(`agentAutoUpdate must be true or false, not ${String(agentAutoUpdate)}`);
  }
  if (checkSeconds !== undefined && !(Number.isInteger(checkSeconds) && checkSeconds >= 10)) {
    throw new ConfigError(
      `the agent update check must be a whole number of seconds, at least 10, not ${checkSeconds}`,
    );
  }
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'the database URL must be a PostgreSQL one (postgres://user@host:port/database)',
    );
  }
}

function readConfigFile(path: string | undefined): Partial<Settings> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`the config file ${path} must hold a JSON object`);
  }
  const unknown = Object.keys(parsed).filter(
    (key) => !(fileKeys as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown setting(s) in ${path}: ${unknown.join(', ')}; known: ${fileKeys.join(', ')}`,
    );
  }
  return parsed as Partial<Settings>;
}

function booleanOrUndefined(text: string | undefined): boolean | undefined {
  if (text === undefined || text === '') return undefined;
  return text === '1' || text.toLowerCase() === 'true';
}

function numberOrUndefined(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, not "${text}"`);
  return value;
}

/** A commander option parser for whole numbers in a range, with an error that says which. */
export function integerOption(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
    }
    return value;
  };
}
