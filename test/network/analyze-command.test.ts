import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { localCaptureDir, sharedCaptureDir } from './capture-files.js';

const main = join(import.meta.dirname, '../../src/cli/main.ts');
const strata = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });

describe('strata collector analyze', () => {
  it('prints every connection, totals and skipped packets as JSON', () => {
    const run = strata(
      'collector',
      'analyze',
      join(sharedCaptureDir, 'sanders-nowebaccess1.pcapng'),
      '--format',
      'json',
    );

    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.totals.connections, 2);
    assert.deepEqual(report.ignored, { not_ip: 2 });
    assert.deepEqual(
      report.connections.map(
        (c: { connState: string; protocol: string }) => `${c.protocol} ${c.connState}`,
      ),
      ['dns S0', 'dns S0'],
    );
  });

  it('prints a table and a CSV line per connection', () => {
    const path = join(localCaptureDir, 'sll2-any.pcap');
    const table = strata('collector', 'analyze', path);
    const csv = strata('collector', 'analyze', path, '--format', 'csv');

    assert.match(table.stdout, /127\.0\.0\.1:41580 +127\.0\.0\.1:9 +unknown +REJ/);
    assert.match(table.stdout, /skipped: none/);
    assert.equal(csv.stdout.trim().split('\n').length, 1 + 3);
  });

  it('refuses a file that is not a capture with a clear message', () => {
    const run = strata('collector', 'analyze', join(sharedCaptureDir, 'README.md'));

    assert.equal(run.status, 2);
    assert.match(run.stderr, /not a pcap or pcapng file/);
  });
});
