import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleCallback } from '../../test/support/sample-callback.js';
import { familiesOff, familySwitch, keepFamilies, metricFamilies } from './metric-families.js';
import type { MachineSample } from './callback-schema.js';

/** A sample that carries something of every family an agent reports. */
function fullSample(): MachineSample {
  const base = sampleCallback();
  return {
    ...base,
    logons: [
      {
        at: base.sampledAt,
        account: 'ada',
        event: 'logon',
        terminal: 'tty1',
        from: '',
        durationMillis: 900,
      },
    ],
    applicationEvents: [
      {
        at: base.sampledAt,
        event: 'loaded',
        application: 'editor',
        pid: 10,
        account: 'ada',
        durationMillis: 800,
      },
      {
        at: base.sampledAt,
        event: 'not_responding',
        application: 'mail',
        pid: 11,
        account: 'ada',
        durationMillis: 5000,
      },
    ],
  } as MachineSample;
}

describe('metric families', () => {
  it('reads a policy setting: only an explicit false turns a family off', () => {
    const on = familySwitch({ processes: false, gpu: true, logons: 'no' });
    assert.deepEqual(familiesOff(on), ['processes']);
    assert.deepEqual(familiesOff(familySwitch(undefined)), []);
    assert.deepEqual(familiesOff(familySwitch('all off')), []);
  });

  it('keeps a sample whole when every family is on', () => {
    const sample = fullSample();
    assert.deepEqual(keepFamilies(sample, familySwitch({})), sample);
  });

  it('takes out exactly what an off family holds', () => {
    const sample = fullSample();
    assert.ok(sample.processes.length > 0);
    const noProcesses = keepFamilies(sample, familySwitch({ processes: false }));
    assert.deepEqual(noProcesses.processes, []);
    assert.deepEqual(noProcesses.logons, sample.logons, 'other families stay');

    const noLogons = keepFamilies(sample, familySwitch({ logons: false }));
    assert.equal(noLogons.logons, undefined);
    assert.equal(noLogons.processes.length, sample.processes.length);

    const noLoads = keepFamilies(sample, familySwitch({ loadTimes: false }));
    assert.deepEqual(
      noLoads.applicationEvents?.map((event) => event.event),
      ['not_responding'],
    );
    const neither = keepFamilies(sample, familySwitch({ loadTimes: false, hungProcesses: false }));
    assert.equal(neither.applicationEvents, undefined);
    assert.equal(sample.applicationEvents?.length, 2, 'the sample given is not changed');
  });

  it('has every family of the policy schema', async () => {
    const { policySettingsSchema } = await import('../hub/policies/policy-settings.js');
    const properties = policySettingsSchema.properties.metricFamilies.properties;
    assert.deepEqual(Object.keys(properties), [...metricFamilies]);
  });
});
