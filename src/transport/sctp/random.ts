/**
 * Randomness for tags, TSNs and cookie secrets: seeded for tests and simulation, from the
 * operating system otherwise.
 */
import { randomBytes } from 'node:crypto';

/** A source of uniformly random unsigned 32-bit integers. */
export type Random32 = () => number;

/** A deterministic generator (SplitMix32 variant) from a seed. */
export function seededRandom(seed: number): Random32 {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Cryptographically strong random numbers. */
export const systemRandom: Random32 = () => randomBytes(4).readUInt32BE(0);

/** `n` bytes from a generator. */
export function randomBytesFrom(random: Random32, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = random();
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
  }
  return out;
}

/** A non-zero 32-bit value (verification tags must not be 0, RFC 9260 §5.3.1). */
export function nonZero(random: Random32): number {
  for (;;) {
    const v = random();
    if (v !== 0) return v;
  }
}
