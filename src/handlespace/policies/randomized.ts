/**
 * The policies rsplib serves by a weighted draw without replacement (`policies.md` §2, §3.5,
 * §3.6, §4). Their selection order is the PE ID; each PE's weight is its tree node's value,
 * recomputed by the hook whenever the PE is linked.
 */
import { POLICY } from '../../../codecs/constants.js';
import type { PoolElementEntry } from '../element.js';
import { u32Key } from '../keys.js';
import { MAX_WORD, clamp1, distancePenalty, rint } from './arith.js';
import type { PolicyBehaviour } from './behaviour.js';

function noInitialise(): void {}
function noUpdate(): void {}

/** Random-family order: by PE ID, which is unique in a pool. */
function byId(e: PoolElementEntry): void {
  e.selectionNode.k1 = u32Key(e.peId);
  e.selectionNode.k2 = 0;
}

function randomized(
  name: PolicyBehaviour['name'],
  defaultMaxIncrement: number,
  value: (e: PoolElementEntry) => number,
): PolicyBehaviour {
  return {
    name,
    code: POLICY[name],
    method: 'random',
    defaultMaxIncrement,
    degrades: false,
    initialise: noInitialise,
    // rsplib's hooks for these policies only recompute the weight; `weight` does that here.
    update: noUpdate,
    weight: value,
    rank: byId,
  };
}

/** Random: every PE weighs 1. */
export const random = randomized('random', 0, () => 1);

/** Weighted Random: weight = Weight; weight 0 is never chosen (HR-6). */
export const weightedRandom = randomized('weightedRandom', 0, (e) => e.weight);

/**
 * Weighted Random with DPF (rsplib): Weight − rint(Weight · Distance · WeightDPF / max); a
 * negative result becomes 1, while exactly 0 stays 0.
 */
export const weightedRandomDpf = randomized('weightedRandomDpf', 0, (e) => {
  const v = e.weight - rint(e.weight * distancePenalty(e.distance, e.weightDpf));
  return v < 0 ? 1 : v > MAX_WORD ? MAX_WORD : v;
});

/** Randomized Least Used: weight = unused capacity, at least 1. */
export const randomizedLeastUsed = randomized('randomizedLeastUsed', 1, (e) => clamp1(MAX_WORD - e.load));

/**
 * Randomized LU with Degradation (rsplib): reads the degradation counter, but no hook ever
 * raises it, so in rsplib it behaves exactly like RLU (`policies.md` §4).
 */
export const randomizedLeastUsedDegradation = randomized('randomizedLeastUsedDegradation', 1, (e) =>
  clamp1(MAX_WORD - e.load - e.degradation),
);

/** Randomized Priority LU (rsplib): weight = capacity left after one more request, at least 1. */
export const randomizedPriorityLeastUsed = randomized('randomizedPriorityLeastUsed', 1, (e) =>
  clamp1(MAX_WORD - e.load - e.loadDegradation),
);

/** Randomized Priority LU with Degradation (rsplib): like RPLU, the counter never grows. */
export const randomizedPriorityLeastUsedDegradation = randomized('randomizedPriorityLeastUsedDegradation', 1, (e) =>
  clamp1(MAX_WORD - e.load - e.loadDegradation - e.degradation),
);
