// Connector ID on a real kernel: an agent host tags the SYNs and datagrams of two local users
// through the netfilter queue, a server host echoes, and the collector, capturing on the bridge
// between them, attributes each connection and flags forged, revoked and replayed tags. Needs
// root, iproute2, iptables, tcpdump, tcpreplay and the built addon; CI has them all.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addonPath } from '../../src/agent/connector-id/nfqueue-addon.js';
import { analyzeCaptureFile } from '../../src/collector/network/network-analysis.js';
import { deriveMachineKey } from '../../src/protocol/connector-id/machine-keys.js';
import type { FlaggedTag } from '../../src/protocol/connector-id/tag-verdicts.js';
import { TagVerifier } from '../../src/protocol/connector-id/tag-verifier.js';
import {
  attackFrames,
  Capture,
  connectionOf,
  firstSynOf,
  runEchoClient,
  startEchoServer,
  startTagger,
  type Exchange,
} from './namespace-traffic.js';
import {
  addUser,
  buildLab,
  labNames,
  removeLab,
  removeUser,
  runCommand,
  labSkipReason,
  spawnIn,
  type Lab,
} from './namespace-lab.js';
import { skipUnlessProvided } from '../support/needs.js';

const skip = skipUnlessProvided(labSkipReason(addonPath));

const tag = String(process.pid % 100_000);
const ports = { tcp: 9_400, udp: 9_401 };
const machineNumber = 0x3a5e71;
const revokedMachine = 0x0badc0;
const users = [
  { name: `sct${tag}a`, number: 0x00a001, uid: 0 },
  { name: `sct${tag}b`, number: 0x00b002, uid: 0 },
];

describe('Connector ID tags on a real kernel, between network namespaces', { skip }, () => {
  const secret = randomBytes(32);
  const flags: FlaggedTag[] = [];
  // One verifier across captures, as a running collector has: replay protection remembers.
  const verifier = new TagVerifier({
    siteSecrets: new Map([[0, secret]]),
    revokedMachines: new Set([revokedMachine]),
    replayProtection: true,
    onFlag: (flag) => flags.push(flag),
  });
  let lab: Lab;
  let dir: string;
  let server: ReturnType<typeof spawnIn>;
  let tagger: ReturnType<typeof spawnIn>;
  let firstCapture: string;

  before(async () => {
    // Named first, so that `after` removes whatever part of the lab was made.
    lab = labNames(tag);
    removeLab(lab); // left over from a run that was killed
    dir = await mkdtemp(join(tmpdir(), 'strata-connector-id-'));
    lab = buildLab(tag);
    for (const user of users) user.uid = addUser(user.name);
    server = await startEchoServer(lab, ports);
    const machineKey = deriveMachineKey(secret, 0, machineNumber).toString('base64');
    const numbers = Object.fromEntries(users.map((u) => [u.uid, u.number]));
    tagger = await startTagger(lab, dir, { machineNumber, machineKey, users: numbers });
  });

  after(async () => {
    for (const p of [tagger, server]) p?.child.kill('SIGKILL');
    if (lab) removeLab(lab);
    for (const user of users) removeUser(user.name);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const exchange = (user: string) => runEchoClient(lab, ports, user);
  const receivedByServer = () =>
    new Set(server.lines.map((l) => (JSON.parse(l) as { hex?: string }).hex));

  it("names the user and machine of each user's TCP and UDP flows; bytes unchanged", async () => {
    const capture = await Capture.start(lab, join(dir, 'tagged.pcap'));
    const sent = new Map<string, Exchange[]>();
    for (const user of users) sent.set(user.name, await exchange(user.name));
    await capture.stop();
    firstCapture = capture.path;

    const received = receivedByServer();
    const report = await analyzeCaptureFile(capture.path, { tagDecoder: verifier });
    for (const user of users) {
      for (const line of sent.get(user.name)!) {
        assert.equal(line.echoed, line.sent, 'the echo is byte for byte what was sent');
        assert.ok(received.has(line.sent), 'the server application got exactly the payload');
        assert.deepEqual(
          connectionOf(report, line)?.attribution,
          { machineId: machineNumber, userId: user.number, source: 'tag' },
          `${user.name} ${line.transport} ${line.port}`,
        );
      }
    }
    assert.deepEqual(flags, []);
  });

  it("flags a forged tag, a revoked machine's tag and a replayed SYN", async () => {
    const capture = await Capture.start(lab, join(dir, 'attacks.pcap'));
    const frames = join(dir, 'frames.pcap');
    await writeFile(
      frames,
      attackFrames(lab, { secret, machineNumber, revokedMachine, port: ports.tcp }),
    );
    const replayed = firstSynOf(firstCapture, join(dir, 'replayed-syn.pcap'));
    for (const file of [frames, replayed])
      runCommand('ip', 'netns', 'exec', lab.agent, 'tcpreplay', '-q', '-i', lab.agentLink, file);
    await capture.stop();

    await analyzeCaptureFile(capture.path, { tagDecoder: verifier });
    const byPort = new Map(flags.map((f) => [f.sourcePort, f.verdict]));
    assert.equal(byPort.get(40_001), 'bad_mac');
    assert.equal(byPort.get(40_002), 'revoked_machine');
    assert.ok(flags.some((f) => f.verdict === 'replayed' && f.machineNumber === machineNumber));
  });

  it('lets connections through untagged once the agent is killed', async () => {
    tagger.child.kill('SIGKILL');
    await tagger.exited;
    const capture = await Capture.start(lab, join(dir, 'untagged.pcap'));
    const lines = await exchange(users[0]!.name);
    await capture.stop();

    for (const line of lines) assert.equal(line.echoed, line.sent);
    const fresh = new TagVerifier({ siteSecrets: new Map([[0, secret]]) });
    const report = await analyzeCaptureFile(capture.path, { tagDecoder: fresh });
    for (const line of lines) {
      const connection = connectionOf(report, line);
      assert.ok(connection, `${line.transport} ${line.port} was seen`);
      assert.equal(connection.attribution, undefined);
    }
    const rules = runCommand('ip', 'netns', 'exec', lab.agent, 'iptables', '-t', 'mangle', '-S');
    assert.match(rules, /NFQUEUE --queue-num 7401 --queue-bypass/, 'rules stay, bypassed');
  });
});
