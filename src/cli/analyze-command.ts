import { Command, Option } from 'commander';
import { analyzeCaptureFile } from '../collector/network/network-analysis.js';
import { reportAsCsv } from '../collector/network/report-csv.js';
import { reportAsTable } from '../collector/network/report-text.js';
import { ConfigError } from '../shared/errors.js';

/** `strata collector analyze FILE`: measures every connection in a pcap or pcapng file. */
export function analyzeCommand(): Command {
  return new Command('analyze')
    .description('measure every TCP and UDP connection in a pcap or pcapng capture file')
    .argument('<file>', 'capture file (pcap or pcapng)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .action(async (file: string, flags: { format: 'table' | 'json' | 'csv' }) => {
      const report = await analyzeCaptureFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new ConfigError(`cannot read ${file}: ${error.message}`);
      });
      if (report.format === 'unknown') {
        throw new ConfigError(`cannot analyse ${file}: ${report.message ?? 'unknown format'}`);
      }

      const output =
        flags.format === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : flags.format === 'csv'
            ? reportAsCsv(report)
            : reportAsTable(report);
      process.stdout.write(output);
      // Damaged input still gives results; say on stderr where reading stopped.
      if (report.message !== undefined && flags.format !== 'table') {
        process.stderr.write(`strata: ${file}: ${report.message}\n`);
      }
    });
}
