/**
 * Selection policies: the worked sequences of policies.md §5 exactly, further consequences of
 * the §3 engine, and chi-square tests of the random policies' pick frequencies (fixed seeds).
 */
import { describe, expect, it } from 'vitest';
import type { Policy, PolicyName } from '../../codecs/types.js';
import { Handlespace, MAX_HANDLE_RESOLUTION_ITEMS, type PoolElementEntry } from '../../src/handlespace/index.js';
import { element, handle, percent, policy } from './fixtures.js';

const MAX = 0xffffffff;
const NAMES = ['?', 'A', 'B', 'C', 'D'];
const P = handle('P');

/** A pool P with PEs A, B, C, … (IDs 1, 2, 3, …) registered in that order. */
function pool(policies: Policy[], options: { seed?: number; maxIncrement?: number } = {}): Handlespace {
  const hs = new Handlespace({ seed: options.seed ?? 1, maxIncrement: options.maxIncrement });
  policies.forEach((p, i) => {
    const r = hs.register(P, element(i + 1, p), 'expiry', 0);
    if (!r.ok) throw new Error('refused');
  });
  return hs;
}

/** `times` resolutions of k items; each as its letters. */
function resolutions(hs: Handlespace, times: number, k: number): string[] {
  return Array.from({ length: times }, () =>
    (hs.resolve(P, k) as PoolElementEntry[]).map((e) => NAMES[e.peId]).join(' '),
  );
}

const all = (name: PolicyName, n: number, values: Omit<Policy, 'name'> = {}): Policy[] =>
  Array.from({ length: n }, () => policy(name, values));

describe('worked sequences (policies.md §5)', () => {
  it('RR: A, B, C, D; 12 × k = 1', () => {
    expect(resolutions(pool(all('roundRobin', 4)), 12, 1).join(' ')).toBe('A B C D A B C D A B C D');
  });

  it('RR: A, B, C, D; 4 × k = 3 gives a sliding window', () => {
    expect(resolutions(pool(all('roundRobin', 4)), 4, 3)).toEqual(['A B C', 'B C D', 'C D A', 'D A B']);
  });

  it('WRR: A (w 3), B (w 1); 12 × k = 1', () => {
    const hs = pool([policy('weightedRoundRobin', { weight: 3 }), policy('weightedRoundRobin', { weight: 1 })]);
    expect(resolutions(hs, 12, 1).join(' ')).toBe('A B A A A B A A A B A A');
  });

  it('PRI: A (1), B (5), C (5); 12 × k = 1', () => {
    const hs = pool([1, 5, 5].map((priority) => policy('priority', { priority })));
    expect(resolutions(hs, 12, 1).join(' ')).toBe('B C B C B C B C B C B C');
  });

  it('LUD: A (load 0, LD 0x20000000), B (load 0x30000000, LD 0); 12 × k = 1', () => {
    const hs = pool([
      policy('leastUsedDegradation', { load: 0, loadDegradation: 0x20000000 }),
      policy('leastUsedDegradation', { load: 0x30000000, loadDegradation: 0 }),
    ]);
    expect(resolutions(hs, 12, 1).join(' ')).toBe('A B B B B B B B B B B B');
    // A's effective load after its one selection: LD on linking, plus 2 × LD from the double hook.
    expect(hs.find(P, 1)?.degradation).toBe(0x60000000);
  });

  it('LU: A (10 %), B (10 %), C (50 %); 3 × k = 2', () => {
    const hs = pool([10, 10, 50].map((p) => policy('leastUsed', { load: percent(p) })));
    expect(resolutions(hs, 3, 2)).toEqual(['A B', 'B A', 'A B']);
  });

  it('WRR: A (w 0), B (w 1), C (w 2); 12 × k = 1 — weight 0 acts like 1', () => {
    const hs = pool([0, 1, 2].map((weight) => policy('weightedRoundRobin', { weight })));
    expect(resolutions(hs, 12, 1).join(' ')).toBe('A C B C A C B C A C B C');
  });
});

describe('sorted selection engine (policies.md §3.3, §3.4)', () => {
  it('rotates the first m PEs of each answer', () => {
    const hs = pool(all('roundRobin', 4), { maxIncrement: 3 });
    expect(resolutions(hs, 4, 3)).toEqual(['A B C', 'D A B', 'C D A', 'B C D']);
  });

  it('PRI fills an answer with lower priorities in priority order', () => {
    const hs = pool([1, 5, 5, 3].map((priority) => policy('priority', { priority })));
    expect(resolutions(hs, 3, 4)).toEqual(['B C D A', 'C B D A', 'B C D A']);
  });

  it('PLU ranks by Load + Load Degradation, statically', () => {
    const hs = pool([
      policy('priorityLeastUsed', { load: percent(10), loadDegradation: percent(30) }),
      policy('priorityLeastUsed', { load: percent(20), loadDegradation: percent(5) }),
    ]);
    expect(resolutions(hs, 4, 1).join(' ')).toBe('B B B B');
  });

  it('LU-DPF adds the distance penalty to the load', () => {
    const dpf = Math.round(MAX / 1000); // 0.1 % per millisecond
    const hs = pool([
      policy('leastUsedDpf', { load: 0, loadDpf: dpf, distance: 100 }),
      policy('leastUsedDpf', { load: percent(5), loadDpf: dpf, distance: 0 }),
    ]);
    expect(resolutions(hs, 3, 1).join(' ')).toBe('B B B');
  });

  it('a re-registration resets accumulated degradation, keeping the sequence number', () => {
    const hs = pool([
      policy('leastUsedDegradation', { load: 0, loadDegradation: 0x10000000 }),
      policy('leastUsedDegradation', { load: 0x10000000, loadDegradation: 0 }),
    ]);
    resolutions(hs, 2, 1);
    const a = hs.find(P, 1) as PoolElementEntry;
    expect(a.degradation).toBe(0x30000000);
    const seq = a.seq;
    hs.register(P, element(1, policy('leastUsedDegradation', { load: 0, loadDegradation: 0x10000000 })), 'expiry', 0);
    // Reset to 0, then the relink's hook adds one Load Degradation.
    expect(a.degradation).toBe(0x10000000);
    expect(a.seq).toBe(seq);
  });

  it('an unchanged re-registration leaves the selection state alone', () => {
    const hs = pool(all('roundRobin', 3));
    resolutions(hs, 1, 1);
    const before = [...hs.findPool(P)?.selection ?? []].map((e) => e.peId);
    hs.register(P, element(2, policy('roundRobin')), 'expiry', 5);
    expect([...hs.findPool(P)?.selection ?? []].map((e) => e.peId)).toEqual(before);
  });

  it('a lower WRR weight caps the slots left', () => {
    const hs = pool([policy('weightedRoundRobin', { weight: 5 })]);
    const e = hs.find(P, 1) as PoolElementEntry;
    expect(e.virtualCounter).toBe(4); // initialised to 5, linking spent one
    hs.register(P, element(1, policy('weightedRoundRobin', { weight: 2 })), 'expiry', 0);
    expect(e.virtualCounter).toBe(1); // capped at 2, then the relink spent one
  });

  it('WRR shares follow the weights over many rounds', () => {
    const hs = pool([1, 2, 3].map((weight) => policy('weightedRoundRobin', { weight })));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 600; i++) counts[(hs.resolve(P, 1) as PoolElementEntry[])[0].peId]++;
    expect(counts.slice(1)).toEqual([100, 200, 300]);
  });

  it('never answers more than 128 PEs, nor more than the pool holds', () => {
    const hs = pool(all('roundRobin', 150));
    expect(hs.resolve(P, 1000)?.length).toBe(MAX_HANDLE_RESOLUTION_ITEMS);
    expect(pool(all('leastUsed', 2)).resolve(P, 5)?.length).toBe(2);
    expect(hs.resolve(handle('nope'), 1)).toBeUndefined();
    expect(() => hs.resolve(P, 0)).toThrow(RangeError);
  });
});

/** Picks of `draws` single-item resolutions, per PE ID. */
function pickCounts(hs: Handlespace, n: number, draws: number): number[] {
  const counts = new Array<number>(n + 1).fill(0);
  const out: PoolElementEntry[] = [];
  for (let i = 0; i < draws; i++) for (const e of hs.resolve(P, 1, out) ?? []) counts[e.peId]++;
  return counts.slice(1);
}

/** Pearson's statistic of observed counts against weights (cells with weight 0 must be empty). */
function chiSquare(counts: number[], weights: number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  const sum = weights.reduce((s, w) => s + w, 0);
  let chi = 0;
  weights.forEach((w, i) => {
    if (w === 0) {
      expect(counts[i]).toBe(0);
      return;
    }
    const expected = (total * w) / sum;
    chi += (counts[i] - expected) ** 2 / expected;
  });
  return chi;
}

/** Chi-square critical values at p = 0.001, by degrees of freedom. */
const CRITICAL = [0, 10.83, 13.82, 16.27, 18.47, 20.52];

describe('random policies: pick frequencies ∝ weight (chi-square, fixed seeds)', () => {
  const loads = [0, percent(25), percent(50), percent(75)];
  const cases: { name: PolicyName; policies: Policy[]; weights: number[] }[] = [
    { name: 'random', policies: all('random', 4), weights: [1, 1, 1, 1] },
    {
      name: 'weightedRandom',
      policies: [1, 2, 3, 4, 0].map((weight) => policy('weightedRandom', { weight })),
      weights: [1, 2, 3, 4, 0],
    },
    {
      name: 'randomizedLeastUsed',
      policies: loads.map((load) => policy('randomizedLeastUsed', { load })),
      weights: loads.map((l) => MAX - l),
    },
    {
      name: 'randomizedLeastUsedDegradation',
      policies: loads.map((load) => policy('randomizedLeastUsedDegradation', { load, loadDegradation: percent(10) })),
      weights: loads.map((l) => MAX - l),
    },
    {
      name: 'randomizedPriorityLeastUsed',
      policies: loads.map((load) => policy('randomizedPriorityLeastUsed', { load, loadDegradation: percent(20) })),
      weights: loads.map((l) => MAX - l - percent(20)),
    },
    {
      name: 'randomizedPriorityLeastUsedDegradation',
      policies: loads.map((load) =>
        policy('randomizedPriorityLeastUsedDegradation', { load, loadDegradation: percent(20) }),
      ),
      weights: loads.map((l) => MAX - l - percent(20)),
    },
    {
      name: 'weightedRandomDpf',
      // Weight − rint(Weight · Distance · DPF / max): 1000 − 100, 1000 − 500, 1000 − 0.
      policies: [100, 500, 0].map((distance) =>
        policy('weightedRandomDpf', { weight: 1000, weightDpf: Math.round(MAX / 1000), distance }),
      ),
      weights: [900, 500, 1000],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const hs = pool(c.policies, { seed: 0xc0ffee });
      const counts = pickCounts(hs, c.policies.length, 40000);
      const positive = c.weights.filter((w) => w > 0).length;
      expect(chiSquare(counts, c.weights)).toBeLessThan(CRITICAL[positive - 1]);
      // rsplib's RLUD / RPLUD hooks never raise the degradation counter.
      for (const e of hs.findPool(P)?.index ?? []) expect(e.degradation).toBe(0);
    });
  }

  it('multi-item answers are draws without replacement', () => {
    const hs = pool([1, 2, 3, 4].map((weight) => policy('weightedRandom', { weight })), { seed: 3 });
    const firstPick = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const r = hs.resolve(P, 3) as PoolElementEntry[];
      expect(r.length).toBe(3);
      expect(new Set(r.map((e) => e.peId)).size).toBe(3);
      firstPick[r[0].peId - 1]++;
    }
    expect(chiSquare(firstPick, [1, 2, 3, 4])).toBeLessThan(CRITICAL[3]);
    expect((hs.resolve(P, 10) as PoolElementEntry[]).map((e) => e.peId).sort()).toEqual([1, 2, 3, 4]);
  });

  it('HR-6: a weighted random pool whose PEs all weigh 0 selects nothing', () => {
    const hs = pool(all('weightedRandom', 3, { weight: 0 }));
    expect(hs.resolve(P, 3)).toEqual([]);
    expect(hs.verify()).toEqual([]);
  });

  it('randomized LU never gives a PE weight 0, and WRAND-DPF keeps an exact 0', () => {
    const hs = pool([policy('randomizedLeastUsed', { load: MAX })]);
    expect(hs.find(P, 1)?.selectionNode.value).toBe(1);
    const dpf = pool([
      policy('weightedRandomDpf', { weight: 10, weightDpf: MAX, distance: 1 }),
      policy('weightedRandomDpf', { weight: 10, weightDpf: MAX, distance: 2 }),
    ]);
    expect(dpf.find(P, 1)?.selectionNode.value).toBe(0);
    expect(dpf.find(P, 2)?.selectionNode.value).toBe(1);
  });

  it('the same seed gives the same answers', () => {
    const a = pool(all('random', 5), { seed: 9 });
    const b = pool(all('random', 5), { seed: 9 });
    expect(resolutions(a, 20, 2)).toEqual(resolutions(b, 20, 2));
  });
});
