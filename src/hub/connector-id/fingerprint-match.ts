import {
  listElements,
  scalarElements,
  type FingerprintElement,
  type MachineFingerprint,
} from '../../protocol/connector-id/machine-fingerprint.js';

/**
 * How much each element counts when deciding whether a fingerprint is a machine already
 * numbered. The name outweighs all the hardware that clones can share (platform UUID, board,
 * firmware serial, boot disk, disks), so that two running clones with different names stay
 * apart, while a non-persistent desktop re-created under its old name, with a new UUID, new
 * addresses and new disks, keeps its number.
 */
export const elementWeights: Readonly<Record<FingerprintElement, number>> = {
  fqdn: 60,
  platformUuid: 20,
  nics: 20,
  boardSerial: 8,
  biosSerial: 8,
  bootDisk: 8,
  chassis: 4,
  disks: 4,
  cpu: 4,
  controllers: 4,
};

/** A fingerprint is the same machine when its score reaches this: 0.45 of what both report. */
export const matchThreshold = 0.45;

/** Elements specific enough to look candidates up by (CPU models and controllers are not). */
export const anchorElements: readonly FingerprintElement[] = [
  'fqdn',
  'platformUuid',
  'nics',
  'boardSerial',
  'biosSerial',
  'bootDisk',
];

/**
 * The rule: over the elements both fingerprints report, the weighted share that agrees. A
 * single value agrees when equal; a list counts by overlap (shared / all, so one new disk of
 * four costs a quarter of that element). 0 when they share no element at all.
 *
 * Worked cases, every element reported (140 in all): a desk machine whose only disk was
 * replaced scores 128/140 = 0.91; the same machine renamed 80/140 = 0.57; a re-created
 * non-persistent desktop with its old name and only CPU and controllers alike 68/140 = 0.49;
 * two clones alike in everything but name and cards 60/140 = 0.43, below the threshold.
 */
export function matchScore(a: MachineFingerprint, b: MachineFingerprint): number {
  let agreed = 0;
  let compared = 0;
  for (const element of scalarElements) {
    const left = a[element];
    const right = b[element];
    if (left === undefined || right === undefined) continue;
    compared += elementWeights[element];
    if (left === right) agreed += elementWeights[element];
  }
  for (const element of listElements) {
    const left = a[element];
    const right = b[element];
    if (left.length === 0 || right.length === 0) continue;
    const shared = left.filter((hash) => right.includes(hash)).length;
    const all = new Set([...left, ...right]).size;
    compared += elementWeights[element];
    agreed += (elementWeights[element] * shared) / all;
  }
  return compared === 0 ? 0 : agreed / compared;
}

/** Every (element, hash) pair of a fingerprint, as kept for candidate look-ups. */
export function fingerprintPairs(fingerprint: MachineFingerprint): [FingerprintElement, string][] {
  const pairs: [FingerprintElement, string][] = [];
  for (const element of scalarElements) {
    const hash = fingerprint[element];
    if (hash !== undefined) pairs.push([element, hash]);
  }
  for (const element of listElements)
    for (const hash of fingerprint[element]) pairs.push([element, hash]);
  return pairs;
}
