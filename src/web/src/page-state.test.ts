/**
 * How pages read and write their state in the address: routes with their parameters,
 * each inspector's parameters under its prefix, and time ranges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiParams, readInspectorState, savableParams, stateChange } from './inspector-state';
import { readTimeRange } from './time-range';
import { hashFor, parseHash } from './use-hash-route';

describe('page state in the address', () => {
  it('reads routes with their parameters, and builds the same hashes back', () => {
    const route = parseHash('#/processes/3f2a/1000?name=excel&c.sort=pid');
    assert.equal(route.page, 'process');
    assert.deepEqual(route.page === 'process' && [route.machine, route.pid], ['3f2a', '1000']);
    assert.equal(route.params.get('c.sort'), 'pid');
    assert.equal(
      hashFor(['users', 'ann@CORP'], { q: '', range: 'week' }),
      '#/users/ann%40CORP?range=week',
    );
    assert.deepEqual(
      parseHash('#/users/ann%40CORP').page === 'user' && parseHash('#/users/ann%40CORP'),
      {
        page: 'user',
        name: 'ann@CORP',
        params: new URLSearchParams(),
      },
    );
    assert.equal(parseHash('').page, 'overview');
    assert.equal(parseHash('#/nowhere/at/all/x').page, 'not-found');
    assert.equal(parseHash('#/machines/%E0%A4%A').page, 'not-found', 'a broken escape');
  });

  it('keeps each inspector to its own prefix and leaves the page range alone', () => {
    const params = new URLSearchParams(
      'range=week&q=top&c.q=dns&c.port=53&c.sort=pid&c.order=desc&c.after=CUR',
    );
    const connections = readInspectorState(params, 'c.');
    assert.deepEqual(connections, {
      q: 'dns',
      sort: 'pid',
      order: 'desc',
      after: 'CUR',
      filters: { port: '53' },
    });
    const main = readInspectorState(params, '');
    assert.deepEqual(main, { q: 'top', sort: '', order: 'asc', after: '', filters: {} });

    const query = apiParams(connections, { machine: 'm1' });
    assert.equal(query.toString(), 'port=53&machine=m1&q=dns&sort=pid&order=desc&after=CUR');
    assert.deepEqual(savableParams(connections), {
      port: '53',
      q: 'dns',
      sort: 'pid',
      order: 'desc',
    });
    assert.deepEqual(stateChange(params, 'c.', { q: 'tls' }), {
      'c.q': 'tls',
      'c.port': '',
      'c.sort': '',
      'c.order': '',
      'c.after': '',
    });
  });

  it('resolves presets to the next whole minute, refuses a custom range running backwards', () => {
    const now = Date.parse('2026-12-04T10:00:30Z');
    const day = readTimeRange(new URLSearchParams('range=day'), now);
    assert.equal(new Date(day.toMillis).toISOString(), '2026-12-04T10:01:00.000Z');
    assert.equal(day.toMillis - day.fromMillis, 86_400_000);
    const custom = readTimeRange(
      new URLSearchParams('range=custom&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z'),
      now,
    );
    assert.deepEqual([custom.kind, custom.toMillis - custom.fromMillis], ['custom', 86_400_000]);
    const backwards = readTimeRange(
      new URLSearchParams('range=custom&from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z'),
      now,
    );
    assert.equal(backwards.kind, 'day');
  });
});
