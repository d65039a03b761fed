/**
 * The seeded random source: the xoshiro128** reference output, determinism, and unbiased
 * bounded draws.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/random.js';

describe('Random', () => {
  it('is xoshiro128** (reference output from state 1, 2, 3, 4)', () => {
    const r = Random.fromState(1, 2, 3, 4);
    expect(Array.from({ length: 5 }, () => r.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  it('gives equal sequences for equal seeds and different ones otherwise', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('draws below any bound up to 2^53, uniformly', () => {
    const r = new Random(7);
    for (const bound of [1, 2, 3, 1000, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 3, 2 ** 53]) {
      for (let i = 0; i < 200; i++) {
        const x = r.nextBelow(bound);
        expect(Number.isInteger(x) && x >= 0 && x < bound).toBe(true);
      }
    }
    // Chi-square over 6 cells, 60 000 draws; 20.5 is the 0.1 % critical value for 5 d.o.f.
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.nextBelow(6)]++;
    const chi = counts.reduce((s, c) => s + (c - 10000) ** 2 / 10000, 0);
    expect(chi).toBeLessThan(20.5);
    // A bound above 2^32 uses all its range: the top half is hit about half the time.
    let high = 0;
    for (let i = 0; i < 10000; i++) if (r.nextBelow(2 ** 40) >= 2 ** 39) high++;
    expect(high).toBeGreaterThan(4700);
    expect(high).toBeLessThan(5300);
  });
});
