/**
 * Randomness for tags, TSNs and cookie secrets: seeded for tests and simulation, from the
 * operating system otherwise.
 */
import { randomBytes } from 'node:crypto';
import { Random } from '../../util/random.js';

/** A source of uniformly random unsigned 32-bit integers. */
export type Random32 = () => number;

/** A deterministic generator from a seed: the project's one seeded source (`src/util/random.ts`). */
export function seededRandom(seed: number): Random32 {
  const r = new Random(seed);
  return () => r.nextUint32();
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
