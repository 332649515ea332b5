import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { globMatches, ruleMatches, type ComponentFacts } from './component-groups.js';

const desk: ComponentFacts = {
  id: '00000000-0000-4000-8000-000000000001',
  kind: 'agent',
  name: 'DESK-0042',
  os: 'Ubuntu 24.04.1 LTS',
  addresses: ['10.20.3.4', 'fe80::1%eth0', '2001:db8:5::7'],
};

describe('group rules', () => {
  it('match a name pattern with wildcards, in any case', () => {
    assert.equal(ruleMatches({ namePattern: 'desk-*' }, desk), true);
    assert.equal(ruleMatches({ namePattern: 'desk-00??' }, desk), true);
    assert.equal(ruleMatches({ namePattern: 'desk-0' }, desk), false);
    assert.equal(ruleMatches({ namePattern: 'desk.0042' }, desk), false, 'a dot is a dot');
  });

  it('match a name pattern as a regular expression of the same pattern would', () => {
    const reference = (pattern: string, name: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'is',
      ).test(name);
    const letters = fc.constantFrom('a', 'b', 'A', '-', '.', '*', '?');
    fc.assert(
      fc.property(
        fc.array(letters, { maxLength: 8 }).map((chars) => chars.join('')),
        fc
          .array(fc.constantFrom('a', 'b', 'A', '-', '.'), { maxLength: 10 })
          .map((c) => c.join('')),
        (pattern, name) => globMatches(pattern, name) === reference(pattern, name),
      ),
      { numRuns: 2_000 },
    );
  });

  it('match a pattern of many stars against a long name without going back and forth', () => {
    // A regular expression of this pattern backtracks for many seconds on such a name.
    const pattern = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
    assert.equal(globMatches(pattern, 'a'.repeat(255)), false);
    assert.equal(globMatches(pattern, `${'a'.repeat(254)}b`), true);
  });

  it('match part of the operating system name', () => {
    assert.equal(ruleMatches({ os: 'ubuntu' }, desk), true);
    assert.equal(ruleMatches({ os: 'windows' }, desk), false);
  });

  it('match a subnet of either family against every address of the machine', () => {
    assert.equal(ruleMatches({ subnet: '10.20.0.0/16' }, desk), true);
    assert.equal(ruleMatches({ subnet: '10.21.0.0/16' }, desk), false);
    assert.equal(ruleMatches({ subnet: '2001:db8:5::/48' }, desk), true);
    assert.equal(ruleMatches({ subnet: '10.0.0.0/8' }, { ...desk, addresses: [] }), false);
  });

  it('need every given field to match, and an empty rule matches nothing', () => {
    assert.equal(ruleMatches({ namePattern: 'desk-*', os: 'ubuntu' }, desk), true);
    assert.equal(ruleMatches({ namePattern: 'desk-*', os: 'debian' }, desk), false);
    assert.equal(ruleMatches({}, desk), false);
  });
});
