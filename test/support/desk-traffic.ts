// A desktop's traffic for the network delivery tests: RDP conversations written as a capture
// file, and the callback in which the desktop's agent reports its address and one of them.
import { writeFile } from 'node:fs/promises';
import { LinkType } from '../../src/collector/network/capture-packet.js';
import type { CallbackV1 } from '../../src/protocol/callback-schema.js';
import { writePcap } from './capture-writer.js';
import { record, tcpConversation, type Endpoints } from './raw-packets.js';
import { sampleCallback } from './sample-callback.js';

export const desk: Endpoints = {
  client: '10.7.0.42',
  server: '10.7.0.9',
  clientPort: 40_001,
  serverPort: 3389,
};

/** Writes `count` RDP conversations from the desk, 30 s apart from `startSeconds`, as pcap. */
export async function writeDeskCapture(path: string, startSeconds: number, count: number) {
  const packets = Array.from({ length: count }, (_, i) =>
    tcpConversation(startSeconds + i * 30).map((p) =>
      record({ ...desk, clientPort: desk.clientPort + i }, p),
    ),
  ).flat();
  const written = packets.map((p) => ({
    bytes: p.data,
    wireLength: p.wireLength,
    timeSeconds: p.timeSeconds,
    timeNanos: p.timeNanos,
    interfaceIndex: 0,
  }));
  await writeFile(
    path,
    writePcap(written, { linkType: LinkType.raw, bigEndian: false, nanos: true }),
  );
}

/**
 * The desk's callback, taken now: its address, and the first conversation among its open
 * connections, owned by process 1000 (worker-0) of ada@CORP.EXAMPLE.
 */
export function deskCallback(): CallbackV1 {
  const callback = sampleCallback('desk-42');
  callback.interfaces[0]!.ipv4 = [desk.client];
  const connection = {
    protocol: 'tcp',
    localAddress: desk.client,
    localPort: desk.clientPort,
    remoteAddress: desk.server,
    remotePort: desk.serverPort,
    state: 'established',
    pid: 1_000,
    account: 'ada@CORP.EXAMPLE',
  };
  return Object.assign(callback, { connections: [connection] });
}
