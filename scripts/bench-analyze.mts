// One timed analysis for the capture benchmark: reads the file, measures every connection,
// builds the reports, and prints the packet count and the time inside the process.
import { connectionReports } from '../src/collector/network/analysis-report.js';
import { readCaptureFile } from '../src/collector/network/capture-file-reader.js';
import { FlowTracker } from '../src/collector/network/flow-tracker.js';

const start = process.hrtime.bigint();
const tracker = new FlowTracker();
await readCaptureFile(process.argv[2]!, tracker);
tracker.finish();
const connections = connectionReports(tracker).length;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const rate = Math.round(tracker.packetsSeen / seconds);
console.error(
  `  strata in-process: ${tracker.packetsSeen} packets, ${connections} connections, ${seconds.toFixed(2)} s, ${rate} packets/s`,
);
