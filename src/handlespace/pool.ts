/**
 * A pool: its fixed properties (policy, transport, control channel; REG-3), its PEs indexed by
 * PE ID, and its selection order.
 */
import type { TransportParameter } from '../../codecs/types.js';
import { poolHandleWordSum } from './checksum.js';
import type { PoolElementEntry } from './element.js';
import type { PolicyBehaviour } from './policies/index.js';
import { RbNode, RedBlackTree } from './rbtree.js';

/** The transport protocol of a user transport parameter. */
export type TransportKind = TransportParameter['transport'];

/**
 * Pool handles are ordered like rsplib's `poolHandleComparison`: shorter handles first, equal
 * lengths by `memcmp`.
 */
export function comparePoolHandles(a: Uint8Array, b: Uint8Array): number {
  const d = a.length - b.length;
  if (d !== 0) return d;
  for (let i = 0; i < a.length; i++) {
    const c = a[i] - b[i];
    if (c !== 0) return c;
  }
  return 0;
}

/** Whether a user transport asks for data plus control channel (rsplib `TABF_CONTROLCHANNEL`). */
export function usesControlChannel(t: TransportParameter): boolean {
  return (t.transport === 'sctp' || t.transport === 'tcp') && t.transportUse === 'dataPlusControl';
}

/** One pool of the handlespace. */
export class Pool {
  readonly handle: Uint8Array;
  /** Checksum words of the handle, shared by all its PEs. */
  readonly handleWordSum: number;
  /** The policy, fixed by the first PE (REG-3, REG-4). */
  readonly policy: PolicyBehaviour;
  /** The user transport protocol, fixed by the first PE (REG-3, REG-5). */
  readonly transport: TransportKind;
  /** Whether PEs use data plus control channel, fixed by the first PE (REG-3, REG-6). */
  readonly controlChannel: boolean;
  /** PEs by PE ID (numeric key `u32Key(peId)`), for ordered traversal. */
  readonly index = new RedBlackTree<PoolElementEntry>(null);
  /**
   * The same PEs hashed by PE ID. Exact lookups (keep-alive acks, re-registrations,
   * deregistrations) are the registrar's most frequent operation; a hash answers them without
   * walking the tree. Keyed by the ID's int32 pattern, which V8 hashes unboxed.
   */
  private readonly byId = new Map<number, PoolElementEntry>();
  /**
   * PEs in selection order: the keys the policy ranked the PE with, then the sequence number.
   * Random policies rank by PE ID alone (unique); their tree keeps subtree weight sums for the
   * draws, and their sequence numbers change while linked without affecting the order.
   */
  readonly selection: RedBlackTree<PoolElementEntry>;
  /** Node in the handlespace's pool set. */
  readonly node: RbNode<Pool>;
  /** Whether the policy draws at random (selection order by PE ID, with weights). */
  readonly random: boolean;
  /**
   * rsplib's GlobalSeqNumber. rsplib starts at 0xFFFFFFF0 and renumbers 0, 1, 2, … in selection
   * order before a wrap; renumbering keeps the relative order, so an unbounded counter (exact
   * up to 2^53) gives the same orders.
   */
  nextSeq = 0;
  /** Position in pool handle order as a small integer (`ownership.ts`). */
  rank = 0;

  constructor(handle: Uint8Array, policy: PolicyBehaviour, transport: TransportKind, controlChannel: boolean) {
    this.handle = handle;
    this.handleWordSum = poolHandleWordSum(handle);
    this.policy = policy;
    this.transport = transport;
    this.controlChannel = controlChannel;
    this.random = policy.method === 'random';
    this.selection = new RedBlackTree<PoolElementEntry>(null, this.random);
    this.node = new RbNode<Pool>(this);
  }

  /** Number of PEs. */
  get size(): number {
    return this.index.size;
  }

  /** Number of PEs in the hash (equals `size` unless the pool is corrupt). */
  get hashedSize(): number {
    return this.byId.size;
  }

  /** First PE in selection order. */
  firstSelected(): PoolElementEntry | null {
    const n = this.selection.first();
    return n === null ? null : n.item;
  }

  /** Finds a PE by ID. */
  find(peId: number): PoolElementEntry | undefined {
    return this.byId.get(peId | 0);
  }

  /** Inserts a new PE (policies.md §3.2): fresh sequence number and counters, then link. */
  add(e: PoolElementEntry): void {
    if (this.index.insert(e.indexNode) !== e.indexNode) throw new Error(`duplicate PE ID ${e.peId}`);
    this.byId.set(e.peId | 0, e);
    e.seq = this.nextSeq++;
    e.virtualCounter = e.roundCounter = e.selectionCounter = e.degradation = 0;
    this.policy.initialise(e, this.firstSelected());
    this.link(e);
  }

  /** Removes a PE from both sets. */
  remove(e: PoolElementEntry): void {
    this.index.remove(e.indexNode);
    this.byId.delete(e.peId | 0);
    this.selection.remove(e.selectionNode);
  }

  /** Links into the selection order; linking always runs the update hook first (§3.2 step 4). */
  link(e: PoolElementEntry): void {
    const policy = this.policy;
    const node = e.selectionNode;
    policy.update(e);
    policy.rank(e);
    if (this.random) {
      node.value = policy.weight(e);
      node.k3 = 0;
    } else {
      node.k3 = e.seq;
    }
    this.selection.insert(node);
  }

  /** Unlinks from the selection order. */
  unlink(e: PoolElementEntry): void {
    this.selection.remove(e.selectionNode);
  }
}
