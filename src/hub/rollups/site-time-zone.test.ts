import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestStore, storeKind, type TestStore } from '../../../test/support/test-store.js';
import { consoleOperations } from '../console-operations.js';
import { localDate } from './site-time-zone.js';

describe(`the site time zone from the console (${storeKind} store)`, () => {
  let test: TestStore;
  before(async () => {
    test = await createTestStore();
  });
  after(async () => {
    await test?.cleanup();
  });

  it('shows UTC until set, sets a known zone with a change log entry, refuses others', async () => {
    const console = consoleOperations(test.store, 'pin', null);
    assert.deepEqual(await console['time-zone-show'](), { timeZone: 'UTC' });
    assert.deepEqual(await console['time-zone-set']({ timeZone: 'Europe/Berlin' }), {
      timeZone: 'Europe/Berlin',
      previous: 'UTC',
    });
    assert.deepEqual(await console['time-zone-show'](), { timeZone: 'Europe/Berlin' });
    for (const bad of ['Europe/Atlantis', 'UTC; DROP TABLE users', '']) {
      await assert.rejects(console['time-zone-set']({ timeZone: bad }), {
        name: 'ConfigError',
      });
    }
    assert.deepEqual(await console['time-zone-show'](), { timeZone: 'Europe/Berlin' });
    const logged = await test.store.query<{ actor: string; detail: { previous: string } }>(
      "SELECT actor, detail FROM change_log WHERE action = 'settings.time_zone'",
    );
    assert.deepEqual(logged, [{ actor: 'console', detail: { previous: 'UTC' } }]);
  });

  it('takes the local date where the zone is', () => {
    const instant = Date.parse('2026-03-28T23:30:00Z');
    assert.equal(localDate(instant, 'UTC'), '2026-03-28');
    assert.equal(localDate(instant, 'Europe/Berlin'), '2026-03-29');
  });
});
