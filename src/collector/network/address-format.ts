/** IPv4 dotted quad from one 32-bit word. */
export function ipv4Text(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

/** IPv6 in the canonical text form of RFC 5952: lower case, the longest zero run as "::". */
export function ipv6Text(words: ArrayLike<number>, first: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) {
    const word = words[first + i]!;
    groups.push(word >>> 16, word & 0xffff);
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not shortened
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** An address from a FlowStore's address words; `side` is slot * 2 + 0 (originator) or + 1. */
export function addressText(ipVersion: number, words: Uint32Array, side: number): string {
  return ipVersion === 4 ? ipv4Text(words[side * 4]!) : ipv6Text(words, side * 4);
}
