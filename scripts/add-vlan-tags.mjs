// Rewrites an Ethernet pcap with 802.1Q tags inserted after the MAC addresses: VLAN 100 on
// IPv4 frames, and two tags (802.1ad outer 200, 802.1Q inner 100) on all others. Used by
// make-test-captures.sh because the sandbox kernels it runs on have no VLAN devices: the traffic
// is real, the tags are added here.
//
//   node scripts/add-vlan-tags.mjs IN.pcap OUT.pcap
import { readFileSync, writeFileSync } from 'node:fs';

const [inputPath, outputPath] = process.argv.slice(2);
const input = readFileSync(inputPath);
if (input.readUInt32LE(0) !== 0xa1b2c3d4 || input.readUInt32LE(20) !== 1) {
  throw new Error(`${inputPath} is not a little-endian Ethernet pcap as tcpdump writes it`);
}

const tag = (tpid, vlanId) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt16BE(tpid, 0);
  bytes.writeUInt16BE(vlanId, 2);
  return bytes;
};
const parts = [input.subarray(0, 24)];
for (let at = 24; at + 16 <= input.length;) {
  const captured = input.readUInt32LE(at + 8);
  const frame = input.subarray(at + 16, at + 16 + captured);
  const isIpv4 = frame.length >= 14 && frame.readUInt16BE(12) === 0x0800;
  const tags = isIpv4 ? [tag(0x8100, 100)] : [tag(0x88a8, 200), tag(0x8100, 100)];
  const added = tags.length * 4;
  const header = Buffer.from(input.subarray(at, at + 16));
  header.writeUInt32LE(captured + added, 8);
  header.writeUInt32LE(input.readUInt32LE(at + 12) + added, 12);
  parts.push(header, frame.subarray(0, 12), ...tags, frame.subarray(12));
  at += 16 + captured;
}
writeFileSync(outputPath, Buffer.concat(parts));
