import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayWindow, replayWindowSize } from './replay-window.js';

describe('the replay window of one session', () => {
  it('accepts each sequence number once, in any order', () => {
    const window = new ReplayWindow();
    const arrivals = [1, 3, 2, 5, 4];

    assert.deepEqual(
      arrivals.map((seq) => window.accept(seq)),
      [true, true, true, true, true],
    );
    assert.deepEqual(
      arrivals.map((seq) => window.accept(seq)),
      [false, false, false, false, false],
    );
  });

  it('accepts a late number still inside the window', () => {
    const window = new ReplayWindow();
    window.accept(replayWindowSize + 10);

    assert.equal(window.accept(11), true);
    assert.equal(window.accept(11), false);
  });

  it('refuses a number that fell below the window, even one never seen', () => {
    const window = new ReplayWindow();
    window.accept(replayWindowSize + 10);

    assert.equal(window.accept(10), false);
    assert.equal(window.accept(1), false);
  });

  it('still refuses replays after the window has moved a long way', () => {
    const window = new ReplayWindow();
    const last = 10 * replayWindowSize;
    for (let seq = 1; seq <= last; seq++) assert.equal(window.accept(seq), true);

    assert.equal(window.accept(last), false);
    assert.equal(window.accept(last - replayWindowSize + 1), false, 'seen, inside the window');
    assert.equal(window.accept(last - replayWindowSize), false, 'below the window');
    assert.equal(window.accept(last + 1), true);
  });
});
