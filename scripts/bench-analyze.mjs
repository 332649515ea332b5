// One timed analysis for the capture benchmark, on the built code in dist/ (what
// `strata collector analyze` runs): reads the file, measures every connection, builds each
// connection's report and hands it on one at a time, as a collector exporting results does,
// and prints the packet count and the times inside the process.
import { connectionReport } from '../dist/collector/network/connection-report.js';
import { readCaptureFile } from '../dist/collector/network/capture-file-reader.js';
import { FlowTracker } from '../dist/collector/network/flow-tracker.js';

const start = process.hrtime.bigint();
const tracker = new FlowTracker();
await readCaptureFile(process.argv[2], tracker);
tracker.finish();
const tracked = process.hrtime.bigint();
let connections = 0;
let bytes = 0;
for (const slot of tracker.store.liveSlots()) {
  bytes += connectionReport(tracker.store, slot).orig.bytes;
  connections++;
}
const end = process.hrtime.bigint();

const seconds = (from, to) => Number(to - from) / 1e9;
const total = seconds(start, end);
console.error(
  `  strata in-process: ${tracker.packetsSeen} packets, ${connections} connections ` +
    `(${bytes} bytes from originators), ${total.toFixed(2)} s ` +
    `(tracking ${seconds(start, tracked).toFixed(2)} s, reports ${seconds(tracked, end).toFixed(2)} s), ` +
    `${Math.round(tracker.packetsSeen / total)} packets/s`,
);
