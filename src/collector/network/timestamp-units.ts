/** Where a pcapng timestamp lands: whole seconds since the epoch and nanoseconds. */
export interface PacketTime {
  timeSeconds: number;
  timeNanos: number;
}

const nanosPerSecond = 1_000_000_000;
const twoTo32 = 4_294_967_296;

/**
 * Converts pcapng's 64-bit timestamps (a count of units since the epoch, split in two 32-bit
 * halves) to seconds and nanoseconds without losing precision. The upper half changes only
 * every 2^32 units (4.3 seconds at nanosecond resolution), so its share is computed once with
 * BigInt and cached; each packet then costs a few float operations on exact integers.
 */
export class TimestampUnits {
  private readonly unitsPerSecond: number;
  private readonly unitsPerSecondBig: bigint;
  private readonly decimalNanosPerUnit: number;
  private readonly offsetSeconds: number;
  private cachedHigh = -1;
  private cachedSeconds = 0;
  private cachedRemainder = 0;

  /**
   * `resolution` is the if_tsresol option byte (default 6: microseconds): below 128 a power of
   * ten, otherwise a power of two. `offsetSeconds` is if_tsoffset (default 0).
   */
  constructor(resolution = 6, offsetSeconds = 0) {
    const binary = (resolution & 0x80) !== 0;
    const exponent = resolution & 0x7f;
    this.unitsPerSecondBig = binary ? 1n << BigInt(exponent) : 10n ** BigInt(exponent);
    this.unitsPerSecond = Number(this.unitsPerSecondBig);
    this.decimalNanosPerUnit = !binary && exponent <= 9 ? 10 ** (9 - exponent) : 0;
    this.offsetSeconds = offsetSeconds;
  }

  /** Writes the time of the timestamp (high, low) into `into`. */
  convert(high: number, low: number, into: PacketTime): void {
    if (this.unitsPerSecond > twoTo32) return this.convertSlowly(high, low, into);
    if (high !== this.cachedHigh) {
      const units = BigInt(high) << 32n;
      this.cachedSeconds = Number(units / this.unitsPerSecondBig);
      this.cachedRemainder = Number(units % this.unitsPerSecondBig);
      this.cachedHigh = high;
    }
    const remainder = this.cachedRemainder + low;
    const carry = Math.floor(remainder / this.unitsPerSecond);
    const units = remainder - carry * this.unitsPerSecond;
    into.timeSeconds = this.cachedSeconds + carry + this.offsetSeconds;
    into.timeNanos =
      this.decimalNanosPerUnit > 0
        ? units * this.decimalNanosPerUnit
        : Math.floor((units * nanosPerSecond) / this.unitsPerSecond);
  }

  // Resolutions finer than 2^-32 s are legal but rare; exactness matters more than speed here.
  private convertSlowly(high: number, low: number, into: PacketTime): void {
    const units = (BigInt(high) << 32n) | BigInt(low);
    const seconds = units / this.unitsPerSecondBig;
    const rest = units % this.unitsPerSecondBig;
    into.timeSeconds = Number(seconds) + this.offsetSeconds;
    into.timeNanos = Number((rest * BigInt(nanosPerSecond)) / this.unitsPerSecondBig);
  }
}
