/**
 * A small seeded pseudo-random generator (mulberry32): every random choice a generated capture
 * makes (tags, initial TSNs, cookies, IP identifications) comes from one of these, so a seed fixes
 * the output.
 */

/** Deterministic random numbers from a 32-bit seed. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.u32() / 2 ** 32;
  }

  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A non-zero 32-bit value (verification tags must not be 0). */
  nonZeroU32(): number {
    for (;;) {
      const v = this.u32();
      if (v !== 0) return v;
    }
  }

  /** `n` random octets. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A generator seeded from this one, for an independent stream of choices. */
  fork(): SeededRandom {
    return new SeededRandom(this.u32());
  }
}
