/**
 * rsplib's two selection procedures (`policies.md` §3.4 and §3.6). Both write into a caller's
 * array and allocate nothing per item.
 */
import type { PoolElementEntry } from './element.js';
import type { Pool } from './pool.js';
import type { Random } from '../util/random.js';

/**
 * Sorted selection (§3.4): the first `k` PEs of the selection order, in that order. Then each of
 * the first `m` of them is unlinked, gets the next sequence number and its selection counted,
 * runs the update hook, and is linked again — which runs the hook a second time (rsplib quirk:
 * LUD degradation grows by 2 × LoadDeg, WRR spends two slots). The fresh sequence number moves
 * it behind every PE with equal keys, so ties rotate.
 */
export function selectSorted(pool: Pool, k: number, m: number, out: PoolElementEntry[]): number {
  let n = 0;
  for (let node = pool.selection.first(); node !== null && n < k; node = node.next) out[n++] = node.item;
  const rotate = m < n ? m : n;
  const policy = pool.policy;
  for (let i = 0; i < rotate; i++) {
    const e = out[i];
    pool.unlink(e);
    e.seq = pool.nextSeq++;
    e.selectionCounter++;
    policy.update(e);
    pool.link(e);
  }
  return n;
}

/**
 * Random selection (§3.6): up to `k` weighted draws without replacement. Each draw takes
 * r uniform in [0, S), S the weight sum of the PEs still in the draw, and picks the PE whose
 * interval in PE-ID order contains r; the pick gets the next sequence number, its selection
 * counted and the update hook if it is among the first `m`. Draws stop early when no weight is
 * left (HR-6). rsplib unlinks each pick and links them all again at the end (running the hook);
 * the order of a random pool is the PE ID, which a pick keeps, so setting a pick's weight to 0
 * takes it out of the draw just as well, and restoring the weight puts it back — a walk up the
 * tree instead of a removal and an insertion.
 */
export function selectRandom(pool: Pool, k: number, m: number, rng: Random, out: PoolElementEntry[]): number {
  const tree = pool.selection;
  const policy = pool.policy;
  let n = 0;
  while (n < k) {
    const total = tree.valueSum;
    if (total < 1) break;
    const node = tree.nodeByValue(rng.nextBelow(total));
    if (node === null) break;
    const e = node.item;
    tree.setValue(node, 0);
    e.seq = pool.nextSeq++;
    e.selectionCounter++;
    if (n < m) policy.update(e);
    out[n++] = e;
  }
  for (let i = 0; i < n; i++) {
    const e = out[i];
    policy.update(e);
    tree.setValue(e.selectionNode, policy.weight(e));
  }
  return n;
}
