// The capture benchmark (npm run bench:capture). Builds once a large capture of real loopback
// traffic (.bench/loopback.pcap, a few hundred MB), then times, in the same run and pinned to
// one core, Strata's analysis of it (as `analyze` does, and as the network role does, with
// flow records in binary batches) and tshark computing the same round-trip fields, and prints
// packets per second of each (best and median of several runs) and the ratio. Not a test: no
// thresholds, the numbers are printed for people to read.
//
//   npm run bench:capture [-- --runs 5 --megabytes 300 --core 1]
// Building the capture needs root (a private network namespace, tcpdump); analysing needs tshark.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    megabytes: { type: 'string', default: '300' },
    core: { type: 'string', default: '1' },
    rebuild: { type: 'boolean', default: false },
  },
});
const benchDir = join(root, '.bench');
const capture = join(benchDir, 'loopback.pcap');
const runs = Number(values.runs);
const pin = ['taskset', '-c', values.core];

mkdirSync(benchDir, { recursive: true });
// The analysis runs from dist/, as the strata command does: compile the server code first.
const build = spawnSync('npx', ['tsc', '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('compiling with tsc -p tsconfig.json failed');
if (values.rebuild || !existsSync(capture)) buildCapture(Number(values.megabytes) * 1024 * 1024);
const packets = Number(
  execFileSync('capinfos', ['-M', '-c', '-r', '-T', capture], { encoding: 'utf8' })
    .trim()
    .split('\t')
    .pop(),
);
console.log(
  `capture: ${capture}, ${(statSync(capture).size / 1e6).toFixed(0)} MB, ${packets} packets`,
);

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadAtStart = loadAverage();
console.log(`${availableParallelism()} cores, load average ${loadAtStart}`);
const strata = [];
const collector = [];
const tshark = [];
for (let run = 1; run <= runs; run++) {
  // Alternate the tools so that load from elsewhere on the machine hits both alike.
  const analyze = join(root, 'scripts/bench-analyze.mjs');
  strata.push(timed(() => run1(['node', analyze, capture, 'analysis'])));
  collector.push(timed(() => run1(['node', analyze, capture, 'collector'])));
  tshark.push(
    timed(() =>
      run1([
        'tshark',
        '-r',
        capture,
        '-n',
        '-T',
        'fields',
        '-e',
        'tcp.stream',
        '-e',
        'tcp.analysis.initial_rtt',
        '-e',
        'tcp.analysis.ack_rtt',
      ]),
    ),
  );
  console.log(
    `run ${run}: strata ${rate(strata.at(-1))}, as collector ${rate(collector.at(-1))}, ` +
      `tshark ${rate(tshark.at(-1))}`,
  );
}
const best = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\none core (taskset -c ${values.core}), ${runs} runs each, whole process wall time:`);
console.log(`load average: ${loadAtStart} at the start, ${loadAverage()} at the end`);
console.log(`strata     best ${rate(best(strata))}  median ${rate(median(strata))}`);
console.log(`collector  best ${rate(best(collector))}  median ${rate(median(collector))}`);
console.log(`tshark     best ${rate(best(tshark))}  median ${rate(median(tshark))}`);
console.log(
  `ratio      best ${(best(tshark) / best(strata)).toFixed(1)}x  median ${(median(tshark) / median(strata)).toFixed(1)}x`,
);

function rate(seconds) {
  return `${Math.round(packets / seconds).toLocaleString('en')} packets/s (${seconds.toFixed(2)} s)`;
}

function timed(work) {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function run1(command) {
  const result = spawnSync(pin[0], [...pin.slice(1), ...command], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed with ${result.status}`);
}

function buildCapture(targetBytes) {
  console.log(`building ${capture} (about ${targetBytes / 1024 / 1024} MB of loopback traffic)...`);
  const partial = `${capture}.partial`;
  // A private network namespace: only this traffic is recorded, and none of it leaves.
  const script = [
    'ip link set lo up',
    `tcpdump -i lo -n -B 65536 -w ${partial} tcp 2>/dev/null & dump=$!`,
    'sleep 1',
    `node ${join(root, 'scripts/bench-traffic.mjs')} 5001 16 48 & load=$!`,
    `while [ $(stat -c %s ${partial}) -lt ${targetBytes} ]; do sleep 0.5; done`,
    'kill -TERM $load; sleep 1; kill -INT $dump; wait $dump',
  ].join('\n');
  const child = spawnSync('unshare', ['--net', 'bash', '-c', script], { stdio: 'inherit' });
  if (child.status !== 0)
    throw new Error('building the capture failed (it needs root, unshare and tcpdump)');
  renameSync(partial, capture);
}
