import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inertForSpreadsheets } from './list-export.js';

describe('CSV cells a spreadsheet would run', () => {
  it('keeps text that starts like a formula as text, and leaves the rest alone', () => {
    const row = {
      name: '=HYPERLINK("http://evil","x")',
      command: '+cmd|calc',
      account: '-2+3',
      user: '@SUM(A1)',
      tabbed: '\t=1',
      plain: 'firefox',
      inner: 'a=b',
      cpu: -4.5,
      missing: null,
    };
    assert.deepEqual(inertForSpreadsheets(row), {
      name: `'=HYPERLINK("http://evil","x")`,
      command: `'+cmd|calc`,
      account: `'-2+3`,
      user: `'@SUM(A1)`,
      tabbed: `'\t=1`,
      plain: 'firefox',
      inner: 'a=b',
      cpu: -4.5,
      missing: null,
    });
    const clean = { plain: 'teams', cpu: 3 };
    assert.equal(inertForSpreadsheets(clean), clean, 'a clean row is not copied');
    assert.equal(row.name, '=HYPERLINK("http://evil","x")', 'the row given is not changed');
  });
});
