// One timed analysis for the capture benchmark, on the built code in dist/ (what
// `strata collector analyze` runs): reads the file, measures every connection, and builds
// each connection's report as it ends (idle past its timeout, or at the end of the file), as
// a collector exporting results does. Prints the packet count and the time inside the process.
import { connectionReport } from '../dist/collector/network/connection-report.js';
import { readCaptureFile } from '../dist/collector/network/capture-file-reader.js';
import { FlowTracker } from '../dist/collector/network/flow-tracker.js';

const start = process.hrtime.bigint();
let connections = 0;
let bytes = 0;
const tracker = new FlowTracker({
  onConnectionEnd: (store, slot) => {
    bytes += connectionReport(store, slot).orig.bytes;
    connections++;
  },
});
await readCaptureFile(process.argv[2], tracker);
tracker.finish();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

console.error(
  `  strata in-process: ${tracker.packetsSeen} packets, ${connections} connections ` +
    `(${bytes} bytes from originators, at most ${tracker.store.slotsUsed} open at once), ` +
    `${seconds.toFixed(2)} s, ${Math.round(tracker.packetsSeen / seconds)} packets/s`,
);
