/**
 * What a selection policy is to the handlespace (`policies.md` §3): a selection order plus a
 * selection procedure, and the hooks rsplib's engine calls.
 */
import type { PolicyName } from '../../../codecs/types.js';
import type { PoolElementEntry } from '../element.js';

/** How a policy picks: walk its sort order, or draw weighted at random from the value tree. */
export type SelectionMethod = 'sorted' | 'random';

/** One selection policy. Implementations are stateless; all state lives in the PE entries. */
export interface PolicyBehaviour {
  readonly name: PolicyName;
  /** The 32-bit policy type code (RFC 5356 / rsplib). */
  readonly code: number;
  readonly method: SelectionMethod;
  /** MaxIncrement used when the registrar leaves it at 0 (`policies.md` §2). */
  readonly defaultMaxIncrement: number;
  /** Whether the policy keeps a degradation counter (the LUD family). */
  readonly degrades: boolean;
  /**
   * Called once when a PE is inserted, before its first link (`policies.md` §3.2 step 3);
   * `first` is the PE currently first in the pool's selection order.
   */
  initialise(entry: PoolElementEntry, first: PoolElementEntry | null): void;
  /**
   * The update hook's state changes (`policies.md` §3.5): WRR slot and round counters, LUD
   * degradation. Runs on every link and on selections. (rsplib's random-policy hooks only
   * recompute the weight, which is `weight` here.)
   */
  update(entry: PoolElementEntry): void;
  /**
   * Derives the PE's place in the selection order from its current state: the keys
   * `selectionNode.k1`, `k2` (for sorted policies the pool adds the sequence number as `k3` to
   * break ties). Random policies rank by PE ID.
   */
  rank(entry: PoolElementEntry): void;
  /** Random policies: the PE's weight in the draw, from its current state. Sorted policies: 0. */
  weight(entry: PoolElementEntry): number;
}
