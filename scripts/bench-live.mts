// The live capture benchmark (npm run bench:live): replays the capture benchmark's file onto a
// veth pair at a fixed rate (default 200,000 packets/s for 30 s) while the network role's
// analysis captures the other end through libpcap in this process, pinned to one core; then
// prints what tcpreplay sent, what the collector saw, and what the kernel dropped. Not a test:
// no thresholds. Needs root, tcpreplay, libpcap and the capture from `npm run bench:capture`.
//
//   npm run bench:live [-- --pps 200000 --seconds 30 --core 1]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { liveCaptureSource } from '../src/collector/capture/live-capture-source.js';
import { FlowBatchWriter } from '../src/collector/network/flow-batch-writer.js';
import { FlowTracker } from '../src/collector/network/flow-tracker.js';
import { IntervalExporter } from '../src/collector/network/interval-exporter.js';
import { createVethPair, vethUnavailable } from '../test/support/veth-pair.js';

const { values } = parseArgs({
  options: {
    pps: { type: 'string', default: '200000' },
    seconds: { type: 'string', default: '30' },
    core: { type: 'string', default: '1' },
  },
});
const capture = join(import.meta.dirname, '..', '.bench', 'loopback.pcap');
const missing = vethUnavailable() ?? (existsSync(capture) ? null : `${capture}: run bench:capture`);
if (missing) throw new Error(`cannot run the live benchmark: ${missing}`);

// The collector on one core, tcpreplay on the other.
spawnSync('taskset', ['-p', '-c', values.core, String(process.pid)]);
const senderCore = values.core === '0' ? '1' : '0';
const veth = createVethPair(`b${process.pid % 100_000}`);
try {
  // The collector's whole path: live capture, tracking, interval records in binary batches.
  let batch = new FlowBatchWriter();
  const exporter = new IntervalExporter((record) => {
    batch.add(record);
    if (batch.bytes >= 1024 * 1024) batch = new FlowBatchWriter();
  });
  const tracker = new FlowTracker(exporter);
  const source = liveCaptureSource({ interfaceName: veth.captureSide });
  const running = source.run(tracker);

  const replay = await sendAtRate(veth.namespace, veth.sendSide);
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the collector drain
  const { received, dropped } = source.stats();
  await source.stop();
  await running;
  tracker.finish();

  console.log(`tcpreplay: ${replay.trim()}`);
  console.log(
    `collector on core ${values.core}: saw ${tracker.packetsSeen} packets; the kernel ` +
      `received ${received} and dropped ${dropped}; ${exporter.records} flow records`,
  );
} finally {
  veth.remove();
}

/** Runs tcpreplay in the namespace at the chosen rate, looping the file; returns its figures. */
function sendAtRate(namespace: string, device: string): Promise<string> {
  const args = [
    'netns',
    'exec',
    namespace,
    'tcpreplay',
    `--pps=${values.pps}`,
    `--duration=${values.seconds}`,
    // Packets go in bursts of 100 between timer checks, which the rate needs on a busy machine.
    '--pps-multi=100',
    '--loop=0',
    '--preload-pcap',
    `--intf1=${device}`,
    capture,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', senderCore, 'ip', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(
            output
              .split('\n')
              .filter((l) => /Actual|Rated|Failed/.test(l))
              .join('; '),
          )
        : reject(new Error(output)),
    );
  });
}
