/**
 * Runs one callback collector from source with the options given as JSON in argv[2]: what
 * `strata collector --role callbacks` runs, without loading the rest of the command line.
 */
import { startCallbackCollector } from '../../src/collector/callback-collector.js';
import { createLogger } from '../../src/shared/logger.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startCallbackCollector>[0];
const collector = await startCallbackCollector({ ...options, logger: createLogger() });
process.once('SIGTERM', () => void collector.close().then(() => process.exit(0)));
