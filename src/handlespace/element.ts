/**
 * A pool element as the handlespace stores it: the registration data, the policy words unpacked
 * into numbers, the selection state of `policies.md` §3.1, its one timer, and one tree node per
 * set the PE belongs to.
 */
import type { Policy, TransportParameter } from '../../codecs/types.js';
import { u32Key } from './keys.js';
import { RbNode } from './rbtree.js';
import type { Pool } from './pool.js';

/**
 * The three timers a registrar runs per PE (`registrar-behaviour.md` §1): home PEs wait for the
 * next Keep-Alive to send or for its Ack; foreign PEs expire when their Registration Life runs
 * out. Each PE has exactly one of them at any time.
 */
export type TimerKind = 'keepAliveTransmission' | 'keepAliveTimeout' | 'expiry';

/** Where an entry gets its tree nodes: fresh, or recycled from removed entries. */
export interface NodeSource {
  take(item: PoolElementEntry): RbNode<PoolElementEntry>;
}

/** A node source that always allocates. */
export const NEW_NODES: NodeSource = Object.freeze({
  take: (item: PoolElementEntry) => new RbNode<PoolElementEntry>(item),
});

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
  /** The PE's unfolded checksum contribution (`checksum.ts`). */
  readonly checksumWords: number;

  homeRegistrarId: number;
  /** The transport association the PE registered through (home PEs), if any. */
  association: number | undefined;
  /** Registration Life in milliseconds. */
  registrationLife: number;
  userTransport: TransportParameter;
  asapTransport: TransportParameter | undefined;
  /** The policy parameter as last registered. */
  policy: Policy;

  // Policy words; an absent word is 0.
  weight = 0;
  priority = 0;
  load = 0;
  loadDegradation = 0;
  loadDpf = 0;
  weightDpf = 0;
  distance = 0;

  // Selection state (policies.md §3.1); counters are unbounded (see pool.ts).
  seq = 0;
  selectionCounter = 0;
  virtualCounter = 0;
  roundCounter = 0;
  degradation = 0;
  timerKind: TimerKind;
  /** When the timer fires, in the caller's time unit (the registrar uses milliseconds). */
  timerAt: number;

  /** Endpoint Unreachable reports counted for this entry; rsplib never resets it while the entry lives. */
  unreachabilityReports = 0;

  /**
   * False once the entry has left the handlespace. A removed entry keeps its data for the
   * caller (e.g. to announce the removal), but its tree nodes go back to the handlespace for
   * reuse, so it must not be passed to the handlespace again.
   */
  live = true;

  // Tree nodes, one per set. Allocating them is the dominant cost of a registration while
  // long-lived PEs fill V8's young generation, so the handlespace recycles them (NodeSource).
  /** Node in the pool's index; keyed by PE ID. */
  indexNode: RbNode<PoolElementEntry>;
  /** Node in the pool's selection order; keys set by the policy's `rank`, then the sequence number. */
  selectionNode: RbNode<PoolElementEntry>;
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
    this.checksumWords = (pool.handleWordSum + (peId >>> 16) + (peId & 0xffff)) >>> 0;
    this.homeRegistrarId = homeRegistrarId;
    this.registrationLife = registrationLife;
    this.userTransport = userTransport;
    this.asapTransport = asapTransport;
    this.policy = policy;
    this.association = association;
    this.timerKind = timerKind;
    this.timerAt = timerAt;
    this.setPolicyWords(policy);
    const idKey = u32Key(peId);
    this.indexNode = nodes.take(this);
    this.indexNode.k1 = idKey;
    this.selectionNode = nodes.take(this);
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

  /** Whether `policy` carries different words than the stored ones (policies.md §3.3). */
  policyWordsDiffer(policy: Policy): boolean {
    return (
      (policy.weight ?? 0) !== this.weight ||
      (policy.priority ?? 0) !== this.priority ||
      (policy.load ?? 0) !== this.load ||
      (policy.loadDegradation ?? 0) !== this.loadDegradation ||
      (policy.loadDpf ?? 0) !== this.loadDpf ||
      (policy.weightDpf ?? 0) !== this.weightDpf ||
      (policy.distance ?? 0) !== this.distance
    );
  }

  /** Copies the words of `policy`. */
  setPolicyWords(policy: Policy): void {
    this.weight = policy.weight ?? 0;
    this.priority = policy.priority ?? 0;
    this.load = policy.load ?? 0;
    this.loadDegradation = policy.loadDegradation ?? 0;
    this.loadDpf = policy.loadDpf ?? 0;
    this.weightDpf = policy.weightDpf ?? 0;
    this.distance = policy.distance ?? 0;
  }
}
