/**
 * A pool element as the handlespace stores it: the registration data, the selection state of
 * `policies.md` §3.1, its one timer, and one tree node per set the PE belongs to — plus the
 * recycler that hands removed entries' nodes to new ones.
 */
import type { Policy, TransportParameter } from '../../codecs/types.js';
import { u32Key } from './keys.js';
import { RbNode, WeightedRbNode } from './rbtree.js';
import type { Pool } from './pool.js';
import type { TimerKind } from './timers.js';

/** Where an entry gets its tree nodes: fresh, or recycled from removed entries. */
export interface NodeSource {
  take(item: PoolElementEntry): RbNode<PoolElementEntry>;
  takeWeighted(item: PoolElementEntry): WeightedRbNode<PoolElementEntry>;
}

/**
 * Keeps the unlinked nodes of removed entries for the next registrations (bounded). While
 * long-lived PEs fill V8's young generation, allocating four tree nodes per registration costs
 * more than all the tree operations; reusing them removes that cost.
 */
export class NodeRecycler implements NodeSource {
  private readonly free: RbNode<PoolElementEntry>[] = [];
  private readonly freeWeighted: WeightedRbNode<PoolElementEntry>[] = [];

  take(item: PoolElementEntry): RbNode<PoolElementEntry> {
    const n = this.free.pop();
    if (n === undefined) return new RbNode<PoolElementEntry>(item);
    n.reset(item);
    return n;
  }

  takeWeighted(item: PoolElementEntry): WeightedRbNode<PoolElementEntry> {
    const n = this.freeWeighted.pop();
    if (n === undefined) return new WeightedRbNode<PoolElementEntry>(item);
    n.reset(item);
    return n;
  }

  /** Keeps the unlinked nodes of a removed entry (bounded). */
  giveAll(e: PoolElementEntry): void {
    if (this.freeWeighted.length >= 1 << 14) return;
    this.free.push(e.indexNode, e.timerNode, e.ownershipNode);
    this.freeWeighted.push(e.selectionNode);
  }
}

/**
 * One PE of the handlespace. Read its fields freely; change it only through
 * {@link import('./handlespace.js').Handlespace} so every set stays consistent.
 */
export class PoolElementEntry {
  /** The pool the PE is in. */
  readonly pool: Pool;
  readonly peId: number;
  /** Creation order in this handlespace; breaks ties between equal timer times. */
  readonly serial: number;

  homeRegistrarId: number;
  /** The transport association the PE registered through (home PEs), if any. */
  association: number | undefined;
  /** Registration Life in milliseconds. */
  registrationLife: number;
  userTransport: TransportParameter;
  asapTransport: TransportParameter | undefined;
  /** The policy parameter as last registered; its words are read through the getters below. */
  policy: Policy;

  // Selection state (policies.md §3.1); counters are unbounded (see pool.ts).
  seq = 0;
  selectionCounter = 0;
  virtualCounter = 0;
  roundCounter = 0;
  degradation = 0;
  timerKind: TimerKind;
  /** When the timer fires, in the caller's time unit and epoch (`timers.ts`). */
  timerAt: number;

  /** Endpoint Unreachable reports counted for this entry; rsplib never resets it while the entry lives. */
  unreachabilityReports = 0;

  /**
   * False once the entry has left the handlespace. A removed entry keeps its data for the
   * caller (e.g. to announce the removal), but its tree nodes go back to the handlespace for
   * reuse, so it must not be passed to the handlespace again.
   */
  live = true;

  // Tree nodes, one per set, recycled by the handlespace (NodeRecycler).
  /** Node in the pool's index; keyed by PE ID. */
  indexNode: RbNode<PoolElementEntry>;
  /** Node in the pool's selection order; keys set by the policy's `rank`, then the sequence number. */
  selectionNode: WeightedRbNode<PoolElementEntry>;
  /** Node in the timer schedule; keyed by (due time, serial). */
  timerNode: RbNode<PoolElementEntry>;
  /** Node in the ownership set; keyed by home registrar, pool rank, PE ID (`ownership.ts`). */
  ownershipNode: RbNode<PoolElementEntry>;
  /** Links in the PE's association list (`associations.ts`). */
  assocPrev: PoolElementEntry | null = null;
  assocNext: PoolElementEntry | null = null;

  constructor(
    pool: Pool,
    peId: number,
    serial: number,
    homeRegistrarId: number,
    registrationLife: number,
    userTransport: TransportParameter,
    asapTransport: TransportParameter | undefined,
    policy: Policy,
    association: number | undefined,
    timerKind: TimerKind,
    timerAt: number,
    nodes: NodeSource,
  ) {
    this.pool = pool;
    this.peId = peId;
    this.serial = serial;
    this.homeRegistrarId = homeRegistrarId;
    this.registrationLife = registrationLife;
    this.userTransport = userTransport;
    this.asapTransport = asapTransport;
    this.policy = policy;
    this.association = association;
    this.timerKind = timerKind;
    this.timerAt = timerAt;
    const idKey = u32Key(peId);
    this.indexNode = nodes.take(this);
    this.indexNode.k1 = idKey;
    this.selectionNode = nodes.takeWeighted(this);
    this.timerNode = nodes.take(this);
    this.timerNode.k1 = timerAt;
    this.timerNode.k2 = serial;
    this.ownershipNode = nodes.take(this);
    this.ownershipNode.k1 = u32Key(homeRegistrarId);
    this.ownershipNode.k2 = pool.rank;
    this.ownershipNode.k3 = idKey;
  }

  /** The pool handle (the pool's). */
  get poolHandle(): Uint8Array {
    return this.pool.handle;
  }

  /** The PE's unfolded checksum contribution (`checksum.ts`): handle words plus PE ID halves. */
  get checksumWords(): number {
    return (this.pool.handleWordSum + (this.peId >>> 16) + (this.peId & 0xffff)) >>> 0;
  }

  // The policy words, 0 when absent. Read from the registered parameter rather than copied, which
  // keeps the entry small (it is allocated for every registration).
  get weight(): number {
    return this.policy.weight ?? 0;
  }
  get priority(): number {
    return this.policy.priority ?? 0;
  }
  get load(): number {
    return this.policy.load ?? 0;
  }
  get loadDegradation(): number {
    return this.policy.loadDegradation ?? 0;
  }
  get loadDpf(): number {
    return this.policy.loadDpf ?? 0;
  }
  get weightDpf(): number {
    return this.policy.weightDpf ?? 0;
  }
  get distance(): number {
    return this.policy.distance ?? 0;
  }

  /** Whether `policy` carries different words than the registered one (policies.md §3.3). */
  policyWordsDiffer(policy: Policy): boolean {
    const old = this.policy;
    return (
      (policy.weight ?? 0) !== (old.weight ?? 0) ||
      (policy.priority ?? 0) !== (old.priority ?? 0) ||
      (policy.load ?? 0) !== (old.load ?? 0) ||
      (policy.loadDegradation ?? 0) !== (old.loadDegradation ?? 0) ||
      (policy.loadDpf ?? 0) !== (old.loadDpf ?? 0) ||
      (policy.weightDpf ?? 0) !== (old.weightDpf ?? 0) ||
      (policy.distance ?? 0) !== (old.distance ?? 0)
    );
  }
}
