import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elementHash } from '../../agent/connector-id/fingerprint-reader.js';
import type { MachineFingerprint } from '../../protocol/connector-id/machine-fingerprint.js';
import { matchScore, matchThreshold } from './fingerprint-match.js';

/** A fingerprint whose every element is reported, from readable stand-in values. */
function machine(values: Record<string, string | string[]>): MachineFingerprint {
  const hash = (element: string, value: string) => elementHash(element, value);
  const list = (element: string) =>
    ((values[element] ?? []) as string[]).map((v) => hash(element, v));
  const one = (element: string) => hash(element, values[element] as string);
  return {
    platformUuid: one('platformUuid'),
    fqdn: one('fqdn'),
    cpu: one('cpu'),
    boardSerial: one('boardSerial'),
    chassis: one('chassis'),
    biosSerial: one('biosSerial'),
    bootDisk: one('bootDisk'),
    disks: list('disks'),
    nics: list('nics'),
    controllers: list('controllers'),
  };
}

const desk = {
  platformUuid: '4c4c4544-0042',
  fqdn: 'desk-0042.corp.example',
  cpu: 'GenuineIntel|i7-1365U',
  boardSerial: 'BRD42',
  chassis: 'CH42',
  biosSerial: 'SYS42',
  bootDisk: 'S4EVNF0N',
  disks: ['S4EVNF0N'],
  nics: ['a4:bb:6d:00:00:42'],
  controllers: ['8086:a0e3', '8086:9a49'],
};
const same = (a: MachineFingerprint, b: MachineFingerprint) => matchScore(a, b) >= matchThreshold;

test('a desk machine that gets a new disk is the same machine', () => {
  const newDisk = { ...desk, bootDisk: 'WD-NEW1', disks: ['WD-NEW1'] };
  assert.ok(same(machine(desk), machine(newDisk)));
  assert.ok(matchScore(machine(desk), machine(newDisk)) > 0.9);
});

test('a desk machine that is renamed, but not also given a new card, is the same machine', () => {
  assert.ok(same(machine(desk), machine({ ...desk, fqdn: 'desk-0043.corp.example' })));
  const renamedAndNewCard = { ...desk, fqdn: 'x.corp.example', nics: ['a4:bb:6d:00:00:99'] };
  assert.ok(!same(machine(desk), machine(renamedAndNewCard)));
});

test('a non-persistent desktop re-created from its template with the same name matches', () => {
  const vdi = {
    platformUuid: '4210-aaaa',
    fqdn: 'vdi-017.corp.example',
    cpu: 'GenuineIntel|Xeon Gold',
    boardSerial: 'VMware-42 10 aa',
    chassis: 'No Asset Tag 1',
    biosSerial: 'VMware-42 10 aa',
    bootDisk: '6000c291',
    disks: ['6000c291'],
    nics: ['00:50:56:a1:00:01'],
    controllers: ['15ad:07c0', '15ad:0405', '15ad:07b0'],
  };
  const recreated = {
    ...vdi,
    platformUuid: '4210-bbbb',
    boardSerial: 'VMware-42 10 bb',
    chassis: 'No Asset Tag 2',
    biosSerial: 'VMware-42 10 bb',
    bootDisk: '6000c2f7',
    disks: ['6000c2f7'],
    nics: ['00:50:56:a1:77:02'],
  };
  assert.ok(same(machine(vdi), machine(recreated)));
  // Another desktop of the same pool (another name) is another machine.
  assert.ok(!same(machine(vdi), machine({ ...recreated, fqdn: 'vdi-018.corp.example' })));
});

test('two clones sharing platform UUID and hardware, not name and cards, are two machines', () => {
  const clone = { ...desk, fqdn: 'desk-0042-clone.corp.example', nics: ['a4:bb:6d:00:01:00'] };
  assert.ok(!same(machine(desk), machine(clone)));
});

test('elements only one side reports do not count against a match', () => {
  const full = machine(desk);
  const partial: MachineFingerprint = {
    fqdn: full.fqdn,
    nics: full.nics,
    disks: [],
    controllers: [],
  };
  assert.equal(matchScore(full, partial), 1);
  assert.equal(matchScore(partial, { disks: [], nics: [], controllers: full.controllers }), 0);
});
