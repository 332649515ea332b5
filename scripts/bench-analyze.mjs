// One timed analysis for the capture benchmark, on the built code in dist/ (what the strata
// command runs). Two ways, chosen by the second argument:
//   analysis   every connection measured and kept to the end of the file, then each one's
//              report built (what `strata collector analyze` does; tshark's comparison keeps
//              every stream too)
//   collector  what the network role does: connections end when idle and a record per
//              connection and minute goes into binary batches, as written to its disk queue
// Prints the packet count and the time inside the process.
import { readCaptureFile } from '../dist/collector/network/capture-file-reader.js';
import { connectionReport } from '../dist/collector/network/connection-report.js';
import { FlowBatchWriter } from '../dist/collector/network/flow-batch-writer.js';
import { FlowTracker } from '../dist/collector/network/flow-tracker.js';
import { IntervalExporter } from '../dist/collector/network/interval-exporter.js';

const [path, mode = 'analysis'] = process.argv.slice(2);
const maxBatchBytes = 1024 * 1024;
const start = process.hrtime.bigint();
let results = 0;
let bytes = 0;
let tracker;
if (mode === 'collector') {
  let batch = new FlowBatchWriter();
  const exporter = new IntervalExporter((record) => {
    batch.add(record);
    results++;
    if (batch.bytes < maxBatchBytes) return;
    bytes += batch.finish(Date.now()).length;
    batch = new FlowBatchWriter();
  });
  tracker = new FlowTracker(exporter);
  await readCaptureFile(path, tracker);
  tracker.finish();
  bytes += batch.finish(Date.now()).length;
} else {
  tracker = new FlowTracker();
  await readCaptureFile(path, tracker);
  tracker.finish();
  for (const slot of tracker.store.liveSlots()) {
    bytes += connectionReport(tracker.store, slot).orig.bytes;
    results++;
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

const what =
  mode === 'collector'
    ? `${results} flow records in ${bytes} bytes of batches`
    : `${results} connection reports`;
console.error(
  `  strata ${mode} in-process: ${tracker.packetsSeen} packets, ${what}, ` +
    `at most ${tracker.store.slotsUsed} connections held, ${seconds.toFixed(2)} s, ` +
    `${Math.round(tracker.packetsSeen / seconds)} packets/s`,
);
