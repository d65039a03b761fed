/**
 * Keys of the ownership set, which groups PEs by home registrar (W = 1 handle table pages and
 * takeovers walk it). Within an owner, PEs follow handle-table order: pool handle, then PE ID.
 * To keep the tree on the inline numeric path, a pool handle is represented by the pool's
 * *rank*, an integer that follows pool handle order: node keys are (owner, pool rank, PE ID).
 *
 * Ranks are small integers (V8 keeps them unboxed). A new pool takes the midpoint between its
 * neighbours' ranks; when no integer is left between them, all pools are renumbered evenly and
 * their PEs' nodes re-keyed. Renumbering keeps the order, so no tree has to be rebuilt; it
 * happens at most once per ~log2(2^31 / pools) pool creations in the worst case.
 */
import type { PoolElementEntry } from './element.js';
import type { Pool } from './pool.js';
import type { RbNode } from './rbtree.js';

const RANK_MIN = -(2 ** 30);
const RANK_MAX = 2 ** 30;

/** Gives `pool`, just linked into the pool set, a rank between its neighbours' ranks. */
export function assignRank(pool: Pool, pools: { first(): RbNode<Pool> | null }): void {
  const prev = pool.node.prev;
  const next = pool.node.next;
  const lo = prev === null ? RANK_MIN : prev.item.rank;
  const hi = next === null ? RANK_MAX : next.item.rank;
  if (hi - lo >= 2) {
    pool.rank = Math.floor((lo + hi) / 2);
    return;
  }
  let count = 0;
  for (let n = pools.first(); n !== null; n = n.next) count++;
  const step = Math.floor((RANK_MAX - RANK_MIN) / (count + 1));
  let rank = RANK_MIN;
  for (let n = pools.first(); n !== null; n = n.next) {
    rank += step;
    const p = n.item;
    p.rank = rank;
    // Re-key the PEs' ownership nodes; the order among them is unchanged.
    for (let e = p.index.first(); e !== null; e = e.next) rekey(e.item);
  }
}

/** Copies the pool rank into a PE's ownership node. */
export function rekey(e: PoolElementEntry): void {
  e.ownershipNode.k2 = e.pool.rank;
}
