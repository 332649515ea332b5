/** A release version: `major.minor.patch`, optionally `-prerelease` (semantic versioning). */
export const releaseVersionPattern = /^(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-([0-9A-Za-z.-]{1,64}))?$/;

/** True when `text` is a version the hub and agents accept. */
export function isReleaseVersion(text: string): boolean {
  return releaseVersionPattern.test(text);
}

/**
 * Orders two versions by semantic-versioning precedence: negative when `a` comes before `b`,
 * zero when equal, positive after. A pre-release comes before its release (1.2.0-rc.1 <
 * 1.2.0). Throws on a string that is not a version: callers check input first.
 */
export function compareVersions(a: string, b: string): number {
  const left = parse(a);
  const right = parse(b);
  for (let i = 0; i < 3; i++) {
    const difference = left.numbers[i]! - right.numbers[i]!;
    if (difference !== 0) return Math.sign(difference);
  }
  if (left.pre.length === 0 && right.pre.length === 0) return 0;
  if (left.pre.length === 0) return 1;
  if (right.pre.length === 0) return -1;
  for (let i = 0; i < Math.min(left.pre.length, right.pre.length); i++) {
    const order = compareIdentifiers(left.pre[i]!, right.pre[i]!);
    if (order !== 0) return order;
  }
  return Math.sign(left.pre.length - right.pre.length);
}

function parse(version: string) {
  const match = releaseVersionPattern.exec(version);
  if (!match) throw new Error(`not a release version: ${JSON.stringify(version)}`);
  return {
    numbers: [Number(match[1]), Number(match[2]), Number(match[3])],
    pre: match[4] ? match[4].split('.') : [],
  };
}

// Numeric identifiers compare as numbers and come before alphanumeric ones.
function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b));
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
