/**
 * The registrar's handlespace (`registrar-behaviour.md` §1): all pools and PEs, reduced to sets
 * on red-black trees —
 *
 * - the pool set, by pool handle; per pool an index by PE ID and a selection order (`pool.ts`);
 * - one timer schedule over all PEs, each PE in it exactly once (`timers.ts`);
 * - the ownership set, by home registrar ID (`ownership.ts`);
 * - per transport association, the PEs that registered through it (`associations.ts`).
 *
 * plus the per-owner PE checksums, kept incrementally (`checksum.ts`).
 */
import type { Policy, PoolElement } from '../../codecs/types.js';
import {
  OwnerChecksums,
  checksumAdd,
  checksumSub,
  finishChecksum,
  peChecksumWords,
  poolHandleWordSum,
} from './checksum.js';
import { type RegistrationRefusal, checkPoolConsistency } from './consistency.js';
import { NodeRecycler, PoolElementEntry } from './element.js';
import { u32Key } from './keys.js';
import { AssociationSets } from './associations.js';
import { assignRank } from './ownership.js';
import { type HandleTableCursor, type HandleTablePage, readOwnedTable, readWholeTable } from './paging.js';
import { POLICY_BEHAVIOURS } from './policies/index.js';
import { Pool, comparePoolHandles, usesControlChannel } from './pool.js';
import { Random } from '../util/random.js';
import { type RbNode, RedBlackTree } from './rbtree.js';
import { selectRandom, selectSorted } from './selection.js';

export type { HandleTableCursor, HandleTablePage } from './paging.js';
import type { TimerKind } from './timers.js';

/** rsplib's hard cap on PEs per Handle Resolution Response (HR-3). */
export const MAX_HANDLE_RESOLUTION_ITEMS = 128;

/** A Pool Element parameter whose policy is in RFC numbering (legacy policies map to these names). */
export type RegistrablePoolElement = Omit<PoolElement, 'policy'> & { readonly policy: Policy };

/** A registration that was applied. */
export interface RegistrationSuccess {
  readonly ok: true;
  readonly entry: PoolElementEntry;
  /** True for a new PE, false for an update of an existing one (re-registration, RR-1). */
  readonly created: boolean;
  /** True if the registration created the pool (REG-3). */
  readonly poolCreated: boolean;
}

/** What {@link Handlespace.register} returns. */
export type RegistrationOutcome = RegistrationSuccess | RegistrationRefusal;

/** Construction options. */
export interface HandlespaceOptions {
  /** Seed of the random source behind every random policy. */
  readonly seed: number;
  /** PEs whose selection state advances per resolution (rsplib `-maxincrement`); 0 = policy default. */
  readonly maxIncrement?: number;
}

function comparePoolKey(handle: Uint8Array, node: RbNode<Pool>): number {
  return comparePoolHandles(handle, node.item.handle);
}

function comparePools(a: RbNode<Pool>, b: RbNode<Pool>): number {
  return comparePoolHandles(a.item.handle, b.item.handle);
}

function assertLive(e: PoolElementEntry): void {
  if (!e.live) throw new Error(`PE ${e.peId} has been removed from the handlespace`);
}

function checkUint32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name} must be a uint32, got ${v}`);
}

/** All pools and PEs a registrar knows. */
export class Handlespace {
  /** Pools by pool handle. */
  readonly pools = new RedBlackTree<Pool>(comparePools);
  /** Every PE by timer due time, then creation serial (`timers.ts`). */
  readonly timers = new RedBlackTree<PoolElementEntry>(null);
  /** Every PE by (home registrar, pool handle, PE ID); numeric keys, see `ownership.ts`. */
  readonly ownership = new RedBlackTree<PoolElementEntry>(null);
  /** PEs by the association they registered through. */
  readonly associations = new AssociationSets();
  /** The random source of the random policies. */
  readonly random: Random;
  /** MaxIncrement; 0 means each policy's default. */
  maxIncrement: number;

  private readonly owners = new OwnerChecksums();
  private readonly nodes = new NodeRecycler();
  private total = 0;
  private elements = 0;
  private nextSerial = 0;

  constructor(options: HandlespaceOptions) {
    this.random = new Random(options.seed);
    this.maxIncrement = options.maxIncrement ?? 0;
  }

  /** Number of PEs. */
  get size(): number {
    return this.elements;
  }

  // ------------------------------------------------------------------------------------------
  // Registration

  /**
   * Registers a PE, or updates it if (pool handle, PE ID) exists (RR-1; rsplib applies any such
   * registration as an update, REG-7). A new pool takes the PE's policy, transport and transport
   * use (REG-3); a PE disagreeing with an existing pool is refused (REG-4 … REG-6) and nothing
   * changes. On success the PE's home, association and (single) timer are set as given.
   *
   * @param association the transport association the registration came through (home PEs);
   *   undefined for PEs learned over ENRP.
   */
  register(
    poolHandle: Uint8Array,
    element: RegistrablePoolElement,
    timerKind: TimerKind,
    timerAt: number,
    association?: number,
  ): RegistrationOutcome {
    checkUint32('PE ID', element.peId);
    checkUint32('home registrar ID', element.homeRegistrarId);
    if (poolHandle.length === 0) throw new RangeError('empty pool handle');
    if (Number.isNaN(timerAt)) throw new RangeError('timer time is NaN');
    const policy = POLICY_BEHAVIOURS[element.policy.name];
    if (policy === undefined) throw new RangeError(`unknown policy ${String(element.policy.name)}`);

    const poolNode = this.pools.find(poolHandle, comparePoolKey);
    let pool: Pool;
    if (poolNode !== null) {
      pool = poolNode.item;
      const refused = checkPoolConsistency(pool, policy, element.userTransport);
      if (refused !== null) return refused;
      const existing = pool.find(element.peId);
      if (existing !== undefined) {
        this.update(existing, element, timerKind, timerAt, association);
        return { ok: true, entry: existing, created: false, poolCreated: false };
      }
    } else {
      // Copied: the caller's bytes may be a view into a reused receive buffer.
      pool = new Pool(
        new Uint8Array(poolHandle),
        policy,
        element.userTransport.transport,
        usesControlChannel(element.userTransport),
      );
      this.pools.insert(pool.node);
      assignRank(pool, this.pools);
    }

    const e = new PoolElementEntry(
      pool,
      element.peId,
      this.nextSerial++,
      element.homeRegistrarId,
      element.registrationLife,
      element.userTransport,
      element.asapTransport,
      element.policy,
      association,
      timerKind,
      timerAt,
      this.nodes,
    );
    pool.add(e);
    this.timers.insert(e.timerNode);
    this.ownership.insert(e.ownershipNode);
    if (association !== undefined) this.associations.add(e);
    this.owners.add(e.homeRegistrarId, e.checksumWords);
    this.total = checksumAdd(this.total, e.checksumWords);
    this.elements++;
    return { ok: true, entry: e, created: true, poolCreated: poolNode === null };
  }

  /**
   * Applies a re-registration (policies.md §3.3): if a policy word changed or degradation has
   * accumulated, take the new words, clear the degradation, cap the WRR slot counter at the new
   * weight and re-sort (the relink runs the hook once more). The sequence number stays.
   */
  private update(
    e: PoolElementEntry,
    element: RegistrablePoolElement,
    timerKind: TimerKind,
    timerAt: number,
    association: number | undefined,
  ): void {
    const pool = e.pool;
    if (e.policyWordsDiffer(element.policy) || e.degradation !== 0) {
      pool.unlink(e);
      e.policy = element.policy;
      e.degradation = 0;
      if (e.virtualCounter > e.weight) e.virtualCounter = e.weight;
      pool.link(e);
    } else {
      e.policy = element.policy;
    }
    e.registrationLife = element.registrationLife;
    e.userTransport = element.userTransport;
    e.asapTransport = element.asapTransport;
    this.setHomeRegistrar(e, element.homeRegistrarId);
    this.setAssociation(e, association);
    this.scheduleTimer(e, timerKind, timerAt);
  }

  /** Removes (pool handle, PE ID); returns the removed entry, or undefined if it did not exist. */
  deregister(poolHandle: Uint8Array, peId: number): PoolElementEntry | undefined {
    const e = this.find(poolHandle, peId);
    if (e !== undefined) this.remove(e);
    return e;
  }

  /**
   * Removes an entry from every set; an emptied pool disappears. The entry keeps its data but is
   * no longer live (`PoolElementEntry.live`).
   */
  remove(e: PoolElementEntry): void {
    assertLive(e);
    const pool = e.pool;
    pool.remove(e);
    this.timers.remove(e.timerNode);
    this.ownership.remove(e.ownershipNode);
    if (e.association !== undefined) this.associations.remove(e);
    this.owners.sub(e.homeRegistrarId, e.checksumWords);
    this.total = checksumSub(this.total, e.checksumWords);
    this.elements--;
    if (pool.size === 0) this.pools.remove(pool.node);
    e.live = false;
    this.nodes.giveAll(e);
  }

  // ------------------------------------------------------------------------------------------
  // Lookup and handle resolution

  /** The pool with this handle. */
  findPool(poolHandle: Uint8Array): Pool | undefined {
    const n = this.pools.find(poolHandle, comparePoolKey);
    return n === null ? undefined : n.item;
  }

  /** The PE (pool handle, PE ID). */
  find(poolHandle: Uint8Array, peId: number): PoolElementEntry | undefined {
    const n = this.pools.find(poolHandle, comparePoolKey);
    if (n === null) return undefined;
    return n.item.find(peId);
  }

  /**
   * Handle resolution (HR-1, HR-3, HR-4): selects up to `maxItems` PEs (at most 128, at most
   * the pool) by the pool's policy, advancing selection state as `policies.md` §3 describes.
   * Writes them into `out` (cleared first) and returns it; undefined if the pool does not exist
   * (HR-2). May return fewer PEs, even none, when a random pool runs out of weight (HR-6).
   */
  resolve(poolHandle: Uint8Array, maxItems: number, out: PoolElementEntry[] = []): PoolElementEntry[] | undefined {
    const n = this.pools.find(poolHandle, comparePoolKey);
    return n === null ? undefined : this.resolvePool(n.item, maxItems, out);
  }

  /** {@link resolve} on a known pool. */
  resolvePool(pool: Pool, maxItems: number, out: PoolElementEntry[] = []): PoolElementEntry[] {
    if (!(maxItems >= 1)) throw new RangeError(`maxItems must be at least 1, got ${maxItems}`);
    const k = maxItems > MAX_HANDLE_RESOLUTION_ITEMS ? MAX_HANDLE_RESOLUTION_ITEMS : Math.floor(maxItems);
    const m = this.maxIncrement === 0 ? pool.policy.defaultMaxIncrement : this.maxIncrement;
    const n =
      pool.policy.method === 'sorted' ? selectSorted(pool, k, m, out) : selectRandom(pool, k, m, this.random, out);
    if (out.length !== n) out.length = n;
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Timers

  /** The PE whose timer is due first, or null if there are no PEs. */
  nextTimer(): PoolElementEntry | null {
    const n = this.timers.first();
    return n === null ? null : n.item;
  }

  /** Replaces a PE's timer (each PE has exactly one). */
  scheduleTimer(e: PoolElementEntry, kind: TimerKind, at: number): void {
    assertLive(e);
    // A NaN key would compare neither less nor greater and corrupt the schedule's order.
    if (Number.isNaN(at)) throw new RangeError('timer time is NaN');
    this.timers.remove(e.timerNode);
    e.timerKind = kind;
    e.timerAt = at;
    e.timerNode.k1 = at;
    this.timers.insert(e.timerNode);
  }

  // ------------------------------------------------------------------------------------------
  // Ownership

  /** First PE (in handle-table order) whose home is `owner`. */
  firstOwnedBy(owner: number): PoolElementEntry | null {
    const n = this.ownership.lowerBoundKeys(u32Key(owner), -Infinity, -Infinity);
    return n !== null && n.item.homeRegistrarId === owner ? n.item : null;
  }

  /** Next PE with the same home as `e`. */
  nextOwnedBy(e: PoolElementEntry): PoolElementEntry | null {
    const n = e.ownershipNode.next;
    return n !== null && n.item.homeRegistrarId === e.homeRegistrarId ? n.item : null;
  }

  /** Number of PEs whose home is `owner`. */
  ownedCount(owner: number): number {
    return this.owners.count(owner);
  }

  /** Changes a PE's home, moving its checksum contribution to the new owner. */
  setHomeRegistrar(e: PoolElementEntry, owner: number): void {
    assertLive(e);
    if (e.homeRegistrarId === owner) return;
    checkUint32('home registrar ID', owner);
    this.ownership.remove(e.ownershipNode);
    this.owners.sub(e.homeRegistrarId, e.checksumWords);
    e.homeRegistrarId = owner;
    e.ownershipNode.k1 = u32Key(owner);
    this.ownership.insert(e.ownershipNode);
    this.owners.add(owner, e.checksumWords);
  }

  /** Makes `to` the home of every PE of `from` (takeover, TO-3 / TO-4); returns how many moved. */
  transferOwnership(from: number, to: number): number {
    if (from === to) return 0;
    const moved = this.collectOwnedBy(from);
    for (const e of moved) this.setHomeRegistrar(e, to);
    return moved.length;
  }

  /** Removes every PE whose home is `owner`; returns them. */
  removeOwnedBy(owner: number): PoolElementEntry[] {
    const removed = this.collectOwnedBy(owner);
    for (const e of removed) this.remove(e);
    return removed;
  }

  private collectOwnedBy(owner: number): PoolElementEntry[] {
    const list: PoolElementEntry[] = [];
    for (let e = this.firstOwnedBy(owner); e !== null; e = this.nextOwnedBy(e)) list.push(e);
    return list;
  }

  // ------------------------------------------------------------------------------------------
  // Associations

  /** First PE (in binding order) registered through `association`. */
  firstOfAssociation(association: number): PoolElementEntry | null {
    return this.associations.first(association);
  }

  /** Next PE of the same association as `e`. */
  nextOfAssociation(e: PoolElementEntry): PoolElementEntry | null {
    return e.assocNext;
  }

  /** Binds a PE to another association, or to none. */
  setAssociation(e: PoolElementEntry, association: number | undefined): void {
    assertLive(e);
    if (e.association === association) return;
    if (e.association !== undefined) this.associations.remove(e);
    e.association = association;
    if (association !== undefined) this.associations.add(e);
  }

  /** Removes every PE of an association that has closed (T-4); returns them. */
  removeAssociation(association: number): PoolElementEntry[] {
    const removed: PoolElementEntry[] = [];
    for (let e = this.firstOfAssociation(association); e !== null; e = this.nextOfAssociation(e)) removed.push(e);
    for (const e of removed) this.remove(e);
    return removed;
  }

  // ------------------------------------------------------------------------------------------
  // Handle table paging (HT-1, HT-2)

  /**
   * Writes the next page of the handle table into `out`: up to `maxElements` PEs after `after`
   * (from the start if null), in handle-table order — pool handle, then PE ID. With `owner` set,
   * only that registrar's PEs (W = 1). The cursor survives changes between pages (`paging.ts`).
   */
  readHandleTable(
    after: HandleTableCursor | null,
    maxElements: number,
    out: PoolElementEntry[],
    owner?: number,
  ): HandleTablePage {
    return owner === undefined
      ? readWholeTable(this.pools, after, maxElements, out)
      : readOwnedTable(this.pools, this.ownership, owner, after, maxElements, out);
  }

  // ------------------------------------------------------------------------------------------
  // Checksums (registrar-behaviour §9)

  /** The PE checksum over the PEs whose home is `owner`, kept incrementally (0xFFFF: none). */
  ownershipChecksum(owner: number): number {
    return this.owners.checksum(owner);
  }

  /** The same checksum computed from scratch by walking the ownership set. */
  computeOwnershipChecksum(owner: number): number {
    let acc = 0;
    for (let e = this.firstOwnedBy(owner); e !== null; e = this.nextOwnedBy(e)) {
      acc = checksumAdd(acc, peChecksumWords(poolHandleWordSum(e.pool.handle), e.peId));
    }
    return finishChecksum(acc);
  }

  /** Checksum over every PE of the handlespace (rsplib's "Handlespace" checksum). */
  handlespaceChecksum(): number {
    return finishChecksum(this.total);
  }

  /** Registrars that own at least one PE. */
  ownersWithElements(): number[] {
    return [...this.owners.owners()];
  }

  // ------------------------------------------------------------------------------------------
  // Iteration and verification

  /** All PEs in handle-table order (allocates; use the trees directly in hot code). */
  *entries(): IterableIterator<PoolElementEntry> {
    for (let p = this.pools.first(); p !== null; p = p.next) {
      for (let n = p.item.index.first(); n !== null; n = n.next) yield n.item;
    }
  }

  /**
   * Checks every structural invariant: each tree's red-black and bookkeeping invariants, every
   * PE in exactly the sets it belongs to, one timer per PE, no empty pool, and each owner's
   * incremental checksum equal to the from-scratch one. Returns the problems found.
   */
  verify(): string[] {
    const problems: string[] = [];
    const tree = (name: string, t: RedBlackTree<unknown>): void => {
      for (const p of t.checkInvariants()) problems.push(`${name}: ${p}`);
    };
    tree('pools', this.pools as RedBlackTree<unknown>);
    tree('timers', this.timers as RedBlackTree<unknown>);
    tree('ownership', this.ownership as RedBlackTree<unknown>);
    for (const p of this.associations.check()) problems.push(`associations: ${p}`);
    let count = 0;
    let associated = 0;
    let total = 0;
    for (const pool of this.pools) {
      const name = new TextDecoder('latin1').decode(pool.handle);
      tree(`pool ${name} index`, pool.index as RedBlackTree<unknown>);
      tree(`pool ${name} selection`, pool.selection as RedBlackTree<unknown>);
      if (pool.size === 0) problems.push(`pool ${name} is empty`);
      const prevPool = pool.node.prev;
      if (prevPool !== null && !(prevPool.item.rank < pool.rank)) problems.push(`pool ${name}: rank out of order`);
      if (pool.selection.size !== pool.index.size) problems.push(`pool ${name}: selection and index sizes differ`);
      if (pool.hashedSize !== pool.index.size) problems.push(`pool ${name}: hash and index sizes differ`);
      for (const e of pool.index) {
        count++;
        total = checksumAdd(total, e.checksumWords);
        if (e.pool !== pool) problems.push(`PE ${e.peId} in the wrong pool`);
        if (pool.find(e.peId) !== e) problems.push(`PE ${e.peId} not found by its ID`);
        if (!e.live) problems.push(`PE ${e.peId} linked but not live`);
        for (const n of [e.indexNode, e.selectionNode, e.timerNode, e.ownershipNode]) {
          if (n.item !== e) problems.push(`PE ${e.peId} holds a node of another entry`);
        }
        const id = u32Key(e.peId);
        if (e.indexNode.k1 !== id) problems.push(`PE ${e.peId}: index key stale`);
        if (e.timerNode.k1 !== e.timerAt || e.timerNode.k2 !== e.serial) problems.push(`PE ${e.peId}: timer key stale`);
        const o = e.ownershipNode;
        if (o.k1 !== u32Key(e.homeRegistrarId) || o.k2 !== pool.rank || o.k3 !== id) problems.push(`PE ${e.peId}: ownership key stale`);
        if (!pool.random && e.selectionNode.k3 !== e.seq) problems.push(`PE ${e.peId}: selection key stale`);
        if (pool.random && e.selectionNode.value !== pool.policy.weight(e)) problems.push(`PE ${e.peId}: weight stale`);
        if (!e.selectionNode.linked) problems.push(`PE ${e.peId} not in selection order`);
        if (!e.timerNode.linked) problems.push(`PE ${e.peId} has no timer`);
        if (!e.ownershipNode.linked) problems.push(`PE ${e.peId} not in ownership set`);
        if (e.association !== undefined) associated++;
      }
    }
    if (count !== this.elements) problems.push(`PE count ${this.elements}, pools hold ${count}`);
    if (this.timers.size !== count) problems.push(`timer schedule holds ${this.timers.size} timers for ${count} PEs`);
    if (this.ownership.size !== count) problems.push(`ownership set holds ${this.ownership.size} of ${count} PEs`);
    if (this.associations.size !== associated) problems.push(`association set holds ${this.associations.size}, expected ${associated}`);
    if (total !== this.total) problems.push('handlespace checksum differs from recomputation');
    const seen = new Set<number>();
    for (const e of this.ownership) seen.add(e.homeRegistrarId);
    for (const owner of this.owners.owners()) {
      if (!seen.has(owner)) problems.push(`checksum kept for owner ${owner} without PEs`);
    }
    for (const owner of seen) {
      const kept = this.ownershipChecksum(owner);
      const computed = this.computeOwnershipChecksum(owner);
      if (kept !== computed) problems.push(`owner ${owner}: checksum 0x${kept.toString(16)} ≠ recomputed 0x${computed.toString(16)}`);
      let n = 0;
      for (let e = this.firstOwnedBy(owner); e !== null; e = this.nextOwnedBy(e)) n++;
      if (n !== this.owners.count(owner)) problems.push(`owner ${owner}: count ${this.owners.count(owner)} ≠ ${n}`);
    }
    return problems;
  }
}
