import { pino, type Logger } from 'pino';
import { ConfigError } from './errors.js';

export type { Logger };

/**
 * The root logger: one JSON object per line on stdout, level from STRATA_LOG_LEVEL (default
 * info). Components take a child with `component` bound.
 */
export function createLogger(
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
) {
  const level = options.level ?? process.env.STRATA_LOG_LEVEL ?? 'info';
  if (!(level in pino.levels.values) && level !== 'silent') {
    const known = [...Object.keys(pino.levels.values), 'silent'].join(', ');
    throw new ConfigError(`STRATA_LOG_LEVEL must be one of ${known}, not "${level}"`);
  }
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Belt and braces: these never belong in a log line, whatever a caller passes.
      redact: ['password', '*.password', 'token', '*.token', 'privateKeyPem', '*.privateKeyPem'],
    },
    options.destination ?? process.stdout,
  );
}

/** A logger that writes nothing, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
