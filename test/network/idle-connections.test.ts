import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  datagram,
  feed,
  handingOn,
  segment,
  tcpConversation,
  tcpFlags,
  type Endpoints,
} from '../support/raw-packets.js';

const web: Endpoints = {
  client: '10.0.0.1',
  server: '10.0.0.2',
  clientPort: 40_000,
  serverPort: 443,
};
const dns: Endpoints = {
  client: '10.0.0.1',
  server: '10.0.0.53',
  clientPort: 5_353,
  serverPort: 53,
};
const day = 1_700_000_000; // an epoch second to start the made-up traffic at

describe('idle connections', () => {
  it('end a UDP conversation silent for more than a minute; the next datagram starts anew', () => {
    const { tracker, ended } = handingOn();

    feed(tracker, dns, [datagram(day), datagram(day + 30, false), datagram(day + 100)]);
    tracker.finish();

    assert.deepEqual(
      ended.map((c) => [c.start, c.orig.packets, c.resp.packets, c.connState, c.reason]),
      [
        [`${day}.000000000`, 1, 1, 'SF', 'idle'],
        [`${day + 100}.000000000`, 1, 0, 'S0', 'finished'],
      ],
    );
  });

  it('keep an established TCP connection through five minutes of silence, not longer', () => {
    const { syn, ack } = tcpFlags;
    const { tracker, ended } = handingOn();

    feed(tracker, web, [
      segment(day, true, syn, 100),
      segment(day + 0.01, false, syn | ack, 500, 101),
      segment(day + 0.02, true, ack, 101, 501),
      segment(day + 290, true, ack, 101, 501),
      segment(day + 600, true, ack, 101, 501),
    ]);

    assert.deepEqual(
      ended.map((c) => [c.orig.packets, c.connState, c.reason]),
      [[3, 'S1', 'idle']],
    );
    tracker.finish();
    assert.equal(ended.length, 2);
  });

  it('let a closed connection go five seconds after its last packet', () => {
    const { tracker, ended } = handingOn();

    feed(tracker, web, tcpConversation(day));
    feed(tracker, dns, [datagram(day + 4)]);
    assert.equal(ended.length, 0);
    feed(tracker, dns, [datagram(day + 6)]);

    assert.deepEqual(
      ended.map((c) => [c.connState, c.history, c.reason]),
      [['SF', 'ShADdFf', 'idle']],
    );
  });

  it('end an unanswered SYN after a minute even when no more packets come', () => {
    const { tracker, ended } = handingOn();

    feed(tracker, web, [segment(day, true, tcpFlags.syn, 100)]);
    tracker.advanceTo(day + 59);
    assert.equal(ended.length, 0);
    tracker.advanceTo(day + 61);

    assert.deepEqual(
      ended.map((c) => [c.connState, c.reason]),
      [['S0', 'idle']],
    );
  });

  it('follow the timeouts it is given', () => {
    const { tracker, ended } = handingOn({ udpSeconds: 5 });

    feed(tracker, dns, [datagram(day), datagram(day + 6)]);

    assert.equal(ended.length, 1);
  });
});
