/**
 * The policies rsplib serves by walking a sort order (`policies.md` §2, §3.4, §3.5, §4).
 * `rank` writes the selection keys; the pool appends the sequence number as the last key, so
 * PEs with equal keys rotate round-robin.
 */
import { POLICY } from '../../../codecs/constants.js';
import type { PoolElementEntry } from '../element.js';
import { u32Key } from '../keys.js';
import { MAX_WORD, distancePenalty, rint, sat } from './arith.js';
import type { PolicyBehaviour } from './behaviour.js';

function noInitialise(): void {}
function noUpdate(): void {}
function noWeight(): number {
  return 0;
}

/** LUD-family hook: each call adds Load Degradation to the local counter, saturating. */
function degrade(e: PoolElementEntry): void {
  e.degradation = sat(e.degradation + e.loadDegradation);
}

/**
 * A sorted policy: only its ranking (and whether it degrades) differs from the defaults —
 * MaxIncrement 1, no initialise hook, no weight; degrading policies raise their counter on update.
 */
function sorted(name: PolicyBehaviour['name'], rank: PolicyBehaviour['rank'], degrades = false): PolicyBehaviour {
  return {
    name,
    code: POLICY[name],
    method: 'sorted',
    defaultMaxIncrement: 1,
    degrades,
    initialise: noInitialise,
    update: degrades ? degrade : noUpdate,
    weight: noWeight,
    rank,
  };
}

/** Round Robin: order by sequence number only. */
export const roundRobin = sorted(
  'roundRobin',
  (e) => {
    e.selectionNode.k1 = u32Key(0);
    e.selectionNode.k2 = u32Key(0);
  },
);

/**
 * Weighted Round Robin: order by (RoundCounter, VirtualCounter, seq). A new PE joins the round
 * of the PE currently first with its full weight; the hook spends one slot, or starts the next
 * round with a full weight when at most one is left — which is why weight 0 acts like 1.
 */
export const weightedRoundRobin: PolicyBehaviour = {
  name: 'weightedRoundRobin',
  code: POLICY.weightedRoundRobin,
  method: 'sorted',
  defaultMaxIncrement: 1,
  degrades: false,
  initialise(e, first) {
    // rsplib starts an empty pool's rounds at 0xFFFFFFF0; only differences matter here.
    e.roundCounter = first === null ? 0 : first.roundCounter;
    e.virtualCounter = e.weight;
  },
  weight: noWeight,
  update(e) {
    if (e.virtualCounter > 1) {
      e.virtualCounter--;
    } else {
      e.roundCounter++;
      e.virtualCounter = e.weight;
    }
  },
  rank(e) {
    e.selectionNode.k1 = u32Key(e.roundCounter);
    e.selectionNode.k2 = u32Key(e.virtualCounter);
  },
};

/** Priority: highest priority first, ties round-robin. */
export const priority = sorted(
  'priority',
  (e) => {
    e.selectionNode.k1 = u32Key(MAX_WORD - e.priority);
    e.selectionNode.k2 = u32Key(0);
  },
);

/** Least Used: lowest load first, equal loads round-robin. */
export const leastUsed = sorted(
  'leastUsed',
  (e) => {
    e.selectionNode.k1 = u32Key(e.load);
    e.selectionNode.k2 = u32Key(0);
  },
);

/** Least Used with Degradation: key sat(Load + Degradation); the hook raises Degradation. */
export const leastUsedDegradation = sorted(
  'leastUsedDegradation',
  (e) => {
    e.selectionNode.k1 = u32Key(sat(e.load + e.degradation));
    e.selectionNode.k2 = u32Key(0);
  },
  true,
);

/** Priority Least Used: static key sat(Load + Load Degradation), the load after one more request. */
export const priorityLeastUsed = sorted(
  'priorityLeastUsed',
  (e) => {
    e.selectionNode.k1 = u32Key(sat(e.load + e.loadDegradation));
    e.selectionNode.k2 = u32Key(0);
  },
);

/** Priority Least Used with Degradation (rsplib): PLU's key plus the LUD counter. */
export const priorityLeastUsedDegradation = sorted(
  'priorityLeastUsedDegradation',
  (e) => {
    e.selectionNode.k1 = u32Key(sat(e.load + e.loadDegradation + e.degradation));
    e.selectionNode.k2 = u32Key(0);
  },
  true,
);

/** Least Used with Distance Penalty Factor (rsplib): key min(rint(Load + Distance·LoadDPF), max). */
export const leastUsedDpf = sorted(
  'leastUsedDpf',
  (e) => {
    const v = rint(e.load + distancePenalty(e.distance, e.loadDpf) * MAX_WORD);
    e.selectionNode.k1 = u32Key(v > MAX_WORD ? MAX_WORD : v);
    e.selectionNode.k2 = u32Key(0);
  },
);

/** LUD with Distance Penalty Factor (rsplib): LU-DPF's key plus the LUD counter. */
export const leastUsedDegradationDpf = sorted(
  'leastUsedDegradationDpf',
  (e) => {
    const v = rint(e.load + e.degradation + distancePenalty(e.distance, e.loadDpf) * MAX_WORD);
    e.selectionNode.k1 = u32Key(v > MAX_WORD ? MAX_WORD : v);
    e.selectionNode.k2 = u32Key(0);
  },
  true,
);
