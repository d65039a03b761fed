/**
 * Seeded pseudo-random source for the handlespace: xoshiro128** (Blackman/Vigna) seeded through
 * splitmix32. Every random choice of the handlespace goes through one of these, so a run is
 * reproducible from its seed. `bench/hsbench.c` implements the same generator, so the benchmark
 * drives rsplib and this handlespace with identical operation sequences.
 */

const TWO_21 = 0x20_0000;
const TWO_32 = 0x1_0000_0000;
const TWO_53 = 2 ** 53;

/** One splitmix32 step: returns the next state and its output. */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** A deterministic random source. Construct it with a seed; equal seeds give equal sequences. */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** @param seed any integer in [0, 2^53); only its low 32 bits and next 21 bits are used. */
  constructor(seed: number) {
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_32) | 0, 0x632be5ab);
    let out: number;
    [state, out] = splitmix32(state);
    this.s0 = out;
    [state, out] = splitmix32(state);
    this.s1 = out;
    [state, out] = splitmix32(state);
    this.s2 = out;
    [, out] = splitmix32(state);
    this.s3 = out;
    // xoshiro must not start from the all-zero state.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator in the given raw xoshiro128 state (not all zero); for reference-vector tests. */
  static fromState(s0: number, s1: number, s2: number, s3: number): Random {
    const r = new Random(0);
    r.s0 = s0 | 0;
    r.s1 = s1 | 0;
    r.s2 = s2 | 0;
    r.s3 = s3 | 0;
    return r;
  }

  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * Uniform integer in [0, bound) for an integer bound in [1, 2^53], without bias. Up to 2^32 it
   * is Lemire's multiply-and-reject method (no division in the common case); the 32 × 32-bit
   * product is formed exactly from two partial products that fit in doubles. Above 2^32 it
   * rejects 53-bit draws. rsplib draws `random64() mod S`, whose bias stays below 2^-11 for the
   * sums that occur; the distributions are the same for any statistical test.
   */
  nextBelow(bound: number): number {
    if (bound <= TWO_32) {
      const high = Math.floor(bound / TWO_21);
      const low = bound - high * TWO_21;
      for (;;) {
        const x = this.nextUint32();
        const p1 = x * low; // < 2^53: exact
        const p2 = x * high; // < 2^43: exact; x × bound = p2 × 2^21 + p1
        const lo = ((p2 & 0x7ff) * TWO_21 + (p1 >>> 0)) >>> 0;
        // Reject the few products whose low half falls below 2^32 mod bound.
        if (lo < bound && lo < (TWO_32 - bound) % bound) continue;
        return Math.floor(p2 / 2048) + Math.floor(((p2 & 0x7ff) * TWO_21 + p1) / TWO_32);
      }
    }
    const limit = TWO_53 - (TWO_53 % bound);
    for (;;) {
      const x = (this.nextUint32() >>> 11) * TWO_32 + this.nextUint32();
      if (x < limit) return x % bound;
    }
  }

  /** Uniform double in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / TWO_32;
  }

  /** Uniform integer in [min, max], both included. */
  intBetween(min: number, max: number): number {
    return min + this.nextBelow(max - min + 1);
  }

  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.nextBelow(items.length)]!;
  }

  /** A uint32 that is not 0 (verification tags and identifiers where 0 means "none"). */
  nonZeroUint32(): number {
    for (;;) {
      const v = this.nextUint32();
      if (v !== 0) return v;
    }
  }

  /** `n` random octets. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextUint32() & 0xff;
    return out;
  }

  /** A new independent source seeded from this one (so adding draws to one stream leaves the other alone). */
  fork(): Random {
    return new Random(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
