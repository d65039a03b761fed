/**
 * Block-wise traversal of the handle table for ENRP Handle Table Responses (HT-1, HT-2), with a
 * cursor that resumes after the last PE sent, whether or not that PE still exists.
 *
 * Order: pool handle, then PE ID — the whole handlespace (W = 0) walks the pool set and each
 * pool's index; one registrar's PEs (W = 1) walk the ownership set.
 */
import type { PoolElementEntry } from './element.js';
import { u32Key } from './keys.js';
import { type Pool, comparePoolHandles } from './pool.js';
import type { RbNode, RedBlackTree } from './rbtree.js';

/** Where a handle table traversal stopped: after this (pool handle, PE ID). */
export interface HandleTableCursor {
  readonly poolHandle: Uint8Array;
  readonly peId: number;
}

/** One page of a handle table traversal. */
export interface HandleTablePage {
  /** Entries written to the caller's array. */
  readonly count: number;
  /** Resume point after the last entry written; null if the page is empty. */
  readonly cursor: HandleTableCursor | null;
  /** True if nothing follows the page (an rsplib registrar still sets M when the page is full). */
  readonly exhausted: boolean;
}

function comparePoolKey(handle: Uint8Array, node: RbNode<Pool>): number {
  return comparePoolHandles(handle, node.item.handle);
}

function page(out: PoolElementEntry[], count: number, following: RbNode<PoolElementEntry> | null): HandleTablePage {
  if (out.length !== count) out.length = count;
  const last = count === 0 ? null : out[count - 1];
  return {
    count,
    cursor: last === null ? null : { poolHandle: last.pool.handle, peId: last.peId },
    exhausted: following === null,
  };
}

/** Up to `max` PEs of the whole handlespace after `after` (W = 0), into `out`. */
export function readWholeTable(
  pools: RedBlackTree<Pool>,
  after: HandleTableCursor | null,
  max: number,
  out: PoolElementEntry[],
): HandleTablePage {
  let poolNode = after === null ? pools.first() : pools.lowerBound(after.poolHandle, comparePoolKey);
  let node: RbNode<PoolElementEntry> | null = null;
  if (poolNode !== null) {
    const pool = poolNode.item;
    node =
      after !== null && comparePoolHandles(after.poolHandle, pool.handle) === 0
        ? pool.index.upperBoundKeys(u32Key(after.peId))
        : pool.index.first();
  }
  let count = 0;
  while (count < max) {
    // Within a pool the index is a threaded list: one pointer per PE.
    while (node !== null && count < max) {
      out[count++] = node.item;
      node = node.next;
    }
    if (node !== null || poolNode === null) break;
    poolNode = poolNode.next;
    if (poolNode === null) break;
    node = poolNode.item.index.first();
  }
  // A page that ends exactly at the end of a pool continues with the next pool, if any.
  while (node === null && poolNode !== null) {
    poolNode = poolNode.next;
    if (poolNode !== null) node = poolNode.item.index.first();
  }
  return page(out, count, node);
}

/** Up to `max` PEs whose home is `owner`, after `after` (W = 1), into `out`. */
export function readOwnedTable(
  pools: RedBlackTree<Pool>,
  ownership: RedBlackTree<PoolElementEntry>,
  owner: number,
  after: HandleTableCursor | null,
  max: number,
  out: PoolElementEntry[],
): HandleTablePage {
  const group = u32Key(owner);
  let node: RbNode<PoolElementEntry> | null;
  if (after === null) {
    node = ownership.lowerBoundKeys(group, -Infinity, -Infinity);
  } else {
    // The ownership set orders pools by rank (`ownership.ts`): resume within the cursor's pool
    // if it still exists, else at the start of the next pool.
    const exact = pools.find(after.poolHandle, comparePoolKey);
    if (exact !== null) {
      node = ownership.upperBoundKeys(group, exact.item.rank, u32Key(after.peId));
    } else {
      const next = pools.upperBound(after.poolHandle, comparePoolKey);
      node = ownership.lowerBoundKeys(group, next === null ? Infinity : next.item.rank, -Infinity);
    }
  }
  if (node !== null && node.item.homeRegistrarId !== owner) node = null;
  let count = 0;
  while (node !== null && count < max) {
    out[count++] = node.item;
    node = node.next;
    if (node !== null && node.item.homeRegistrarId !== owner) node = null;
  }
  return page(out, count, node);
}
