/**
 * Model-based tests: random command sequences run against the handlespace and the naive array
 * model (`model.ts`); after every command all sets must hold exactly the model's PEs in the
 * model's order, the tree invariants must hold, each PE must have one timer, every checksum
 * must equal the from-scratch value, and handle resolutions must return what the policy's
 * definition gives (random policies included: both sides draw from equal seeded sources).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyName, PolicyValues, TransportParameter } from '../../codecs/types.js';
import {
  Handlespace,
  type HandleTableCursor,
  type PoolElementEntry,
  type RegistrablePoolElement,
  TIMER_KINDS,
  type TimerKind,
} from '../../src/handlespace/index.js';
import { Model, type ModelPe, modelValue, selectionOrder } from './model.js';

const encoder = new TextEncoder();
/** Pool handles; 'A' and 'B' sort before 'BB' (length first), 'CalcAppPool' has odd length. */
const HANDLES = ['A', 'BB', 'CalcAppPool', 'B'].map((s) => encoder.encode(s));
const OWNERS = [1, 2, 0x80000000, 0xffffffff];
const POLICIES: PolicyName[] = [
  'roundRobin',
  'weightedRoundRobin',
  'random',
  'weightedRandom',
  'priority',
  'leastUsed',
  'leastUsedDegradation',
  'priorityLeastUsed',
  'randomizedLeastUsed',
  'randomizedPriorityLeastUsed',
  'randomizedLeastUsedDegradation',
  'priorityLeastUsedDegradation',
  'randomizedPriorityLeastUsedDegradation',
  'weightedRandomDpf',
  'leastUsedDpf',
  'leastUsedDegradationDpf',
];
const TIMER_KINDS_LIST: TimerKind[] = [...TIMER_KINDS];

interface Real {
  hs: Handlespace;
}

function transportOf(kind: TransportParameter['transport'], controlChannel: boolean): TransportParameter {
  const addresses = [{ family: 'ipv4', address: '10.1.2.3' }] as const;
  if (kind === 'sctp' || kind === 'tcp') {
    return { transport: kind, port: 7, transportUse: controlChannel ? 'dataPlusControl' : 'dataOnly', addresses };
  }
  return { transport: 'udp', port: 7, addresses };
}

const ids = (list: readonly { peId: number }[]): number[] => list.map((e) => e.peId);
const keyOf = (e: { poolHandle: Uint8Array; peId: number } | ModelPe): string =>
  'pool' in e && 'bytes' in (e as ModelPe).pool
    ? `${(e as ModelPe).pool.name}/${e.peId}`
    : `${new TextDecoder('latin1').decode((e as PoolElementEntry).poolHandle)}/${e.peId}`;

/** Everything the handlespace holds must match the model. */
function compare(model: Model, real: Real): void {
  const hs = real.hs;
  expect(hs.verify()).toEqual([]);
  expect(hs.size).toBe(model.all().length);
  // Pool set, in handle order, with their fixed properties.
  const pools = [...hs.pools];
  expect(pools.map((p) => new TextDecoder('latin1').decode(p.handle))).toEqual(model.pools.map((p) => p.name));
  for (let i = 0; i < pools.length; i++) {
    const p = pools[i];
    const mp = model.pools[i];
    expect([p.policy.name, p.transport, p.controlChannel]).toEqual([mp.policy, mp.transport, mp.controlChannel]);
    expect(ids([...p.index])).toEqual(ids([...mp.pes].sort((a, b) => a.peId - b.peId)));
    const order = selectionOrder(mp);
    expect(ids([...p.selection])).toEqual(ids(order));
    for (const e of p.selection) {
      const me = mp.pes.find((x) => x.peId === e.peId) as ModelPe;
      expect([e.seq, e.selectionCounter, e.virtualCounter, e.roundCounter, e.degradation]).toEqual([
        me.seq,
        me.selectionCounter,
        me.vc,
        me.rc,
        me.deg,
      ]);
      if (p.policy.method === 'random') expect(e.selectionNode.value).toBe(modelValue(me));
    }
  }
  // One timer per PE, in schedule order.
  const timers = [...hs.timers];
  expect(timers.map(keyOf)).toEqual(model.timerOrder().map(keyOf));
  for (const e of timers) {
    const me = model.find(e.poolHandle, e.peId) as ModelPe;
    expect([e.timerKind, e.timerAt]).toEqual([me.timerKind, me.timerAt]);
  }
  // Ownership set and per-owner traversal.
  expect([...hs.ownership].map(keyOf)).toEqual(model.ownershipOrder().map(keyOf));
  for (const owner of OWNERS) {
    const traversal: string[] = [];
    for (let e = hs.firstOwnedBy(owner); e !== null; e = hs.nextOwnedBy(e)) traversal.push(keyOf(e));
    expect(traversal).toEqual(model.tableOrder(owner).map(keyOf));
    expect(hs.ownedCount(owner)).toBe(traversal.length);
    // The checksum kept incrementally equals both recomputations.
    expect(hs.ownershipChecksum(owner)).toBe(model.checksum(owner));
    expect(hs.computeOwnershipChecksum(owner)).toBe(model.checksum(owner));
  }
  // Association sets.
  for (const association of [1, 2, 3]) {
    const members: string[] = [];
    for (let e = hs.firstOfAssociation(association); e !== null; e = hs.nextOfAssociation(e)) members.push(keyOf(e));
    expect(members).toEqual(model.associationMembers(association).map(keyOf));
  }
  expect(hs.associations.size).toBe(model.all().filter((pe) => pe.association !== undefined).length);
}

const word = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const values: fc.Arbitrary<PolicyValues> = fc.record({
  weight: fc.oneof(fc.integer({ min: 0, max: 4 }), word),
  priority: fc.integer({ min: 0, max: 3 }),
  load: word,
  loadDegradation: fc.oneof(fc.constantFrom(0, 0x20000000), word),
  loadDpf: word,
  weightDpf: word,
  distance: fc.integer({ min: 0, max: 300 }),
});

class RegisterCommand implements fc.Command<Model, Real> {
  constructor(
    readonly h: number,
    readonly peId: number,
    readonly matchPool: boolean,
    readonly policy: PolicyName,
    readonly transport: TransportParameter['transport'],
    readonly controlChannel: boolean,
    readonly values: PolicyValues,
    readonly home: number,
    readonly association: number | undefined,
    readonly timerKind: TimerKind,
    readonly timerAt: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const handle = HANDLES[this.h];
    const pool = model.pool(handle);
    // Mostly register into the pool consistently, sometimes deliberately not.
    const policy = this.matchPool && pool ? pool.policy : this.policy;
    const transport = this.matchPool && pool ? pool.transport : this.transport;
    const controlChannel = this.matchPool && pool ? pool.controlChannel : this.controlChannel;
    const element: RegistrablePoolElement = {
      peId: this.peId,
      homeRegistrarId: this.home,
      registrationLife: 1000,
      userTransport: transportOf(transport, controlChannel && transport !== 'udp'),
      policy: { name: policy, ...this.values },
    };
    const expected = model.register({
      handle,
      peId: this.peId,
      home: this.home,
      policy,
      values: this.values,
      transport,
      controlChannel: controlChannel && transport !== 'udp',
      association: this.association,
      timerKind: this.timerKind,
      timerAt: this.timerAt,
    });
    const got = real.hs.register(handle, element, this.timerKind, this.timerAt, this.association);
    if (expected.ok) {
      expect(got.ok).toBe(true);
      if (got.ok) expect(got.created).toBe(expected.created);
    } else {
      expect(got.ok).toBe(false);
      if (!got.ok) expect(got.violation).toBe(expected.violation);
    }
    compare(model, real);
  }
  toString(): string {
    return `register(${this.h}, ${this.peId}, ${this.policy}, home ${this.home}, assoc ${this.association})`;
  }
}

class DeregisterCommand implements fc.Command<Model, Real> {
  constructor(
    readonly h: number,
    readonly peId: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const handle = HANDLES[this.h];
    const pe = model.find(handle, this.peId);
    if (pe) model.remove(pe);
    const removed = real.hs.deregister(handle, this.peId);
    expect(removed?.peId).toBe(pe?.peId);
    if (removed) expect(removed.live).toBe(false);
    compare(model, real);
  }
  toString(): string {
    return `deregister(${this.h}, ${this.peId})`;
  }
}

class ResolveCommand implements fc.Command<Model, Real> {
  constructor(
    readonly h: number,
    readonly k: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const handle = HANDLES[this.h];
    const expected = model.resolve(handle, this.k);
    const got = real.hs.resolve(handle, this.k);
    expect(got === undefined).toBe(expected === undefined);
    if (got && expected) {
      expect(ids(got)).toEqual(ids(expected));
      // The definition, independently of the model's engine: distinct PEs, at most k.
      expect(new Set(ids(got)).size).toBe(got.length);
      expect(got.length).toBeLessThanOrEqual(this.k);
    }
    compare(model, real);
  }
  toString(): string {
    return `resolve(${this.h}, ${this.k})`;
  }
}

class RescheduleCommand implements fc.Command<Model, Real> {
  constructor(
    readonly h: number,
    readonly peId: number,
    readonly kind: TimerKind,
    readonly at: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const pe = model.find(HANDLES[this.h], this.peId);
    const e = real.hs.find(HANDLES[this.h], this.peId);
    expect(e?.peId).toBe(pe?.peId);
    if (pe && e) {
      pe.timerKind = this.kind;
      pe.timerAt = this.at;
      real.hs.scheduleTimer(e, this.kind, this.at);
      const first = model.timerOrder()[0];
      expect(real.hs.nextTimer()?.peId).toBe(first.peId);
    }
    compare(model, real);
  }
  toString(): string {
    return `reschedule(${this.h}, ${this.peId}, ${this.kind}, ${this.at})`;
  }
}

class CloseAssociationCommand implements fc.Command<Model, Real> {
  constructor(readonly association: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const members = model.associationMembers(this.association);
    for (const pe of members) model.remove(pe);
    const removed = real.hs.removeAssociation(this.association);
    expect(removed.map(keyOf)).toEqual(members.map(keyOf));
    compare(model, real);
  }
  toString(): string {
    return `closeAssociation(${this.association})`;
  }
}

class RemoveOwnerCommand implements fc.Command<Model, Real> {
  constructor(readonly owner: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const owned = model.tableOrder(this.owner);
    for (const pe of owned) model.remove(pe);
    expect(real.hs.removeOwnedBy(this.owner).map(keyOf)).toEqual(owned.map(keyOf));
    compare(model, real);
  }
  toString(): string {
    return `removeOwnedBy(${this.owner})`;
  }
}

class TransferCommand implements fc.Command<Model, Real> {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const owned = model.tableOrder(this.from);
    for (const pe of owned) pe.home = this.to;
    expect(real.hs.transferOwnership(this.from, this.to)).toBe(this.from === this.to ? 0 : owned.length);
    compare(model, real);
  }
  toString(): string {
    return `transfer(${this.from} → ${this.to})`;
  }
}

/** Pages through the handle table; after the first page one PE disappears, the cursor resumes. */
class PageCommand implements fc.Command<Model, Real> {
  constructor(
    readonly pageSize: number,
    readonly owner: number | undefined,
    readonly victim: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const out: PoolElementEntry[] = [];
    const before = model.tableOrder(this.owner);
    const first = real.hs.readHandleTable(null, this.pageSize, out, this.owner);
    expect(out.map(keyOf)).toEqual(before.slice(0, this.pageSize).map(keyOf));
    expect(first.exhausted).toBe(before.length <= this.pageSize);
    const all = model.all();
    if (all.length > 0) {
      const pe = all[this.victim % all.length];
      model.remove(pe);
      expect(real.hs.deregister(pe.pool.bytes, pe.peId)).toBeDefined();
    }
    if (first.cursor === null) return compare(model, real);
    const cursor: HandleTableCursor = first.cursor;
    const after = model
      .tableOrder(this.owner)
      .filter((pe) => {
        const c = compareHandles(pe.pool.bytes, cursor.poolHandle);
        return c > 0 || (c === 0 && pe.peId > cursor.peId);
      })
      .map(keyOf);
    const rest: string[] = [];
    let at: HandleTableCursor | null = cursor;
    for (let guard = 0; at !== null && guard < 100; guard++) {
      const page = real.hs.readHandleTable(at, this.pageSize, out, this.owner);
      expect(page.count).toBeLessThanOrEqual(this.pageSize);
      rest.push(...out.map(keyOf));
      if (page.exhausted) break;
      at = page.cursor;
    }
    expect(rest).toEqual(after);
    compare(model, real);
  }
  toString(): string {
    return `page(${this.pageSize}, owner ${this.owner}, victim ${this.victim})`;
  }
}

function compareHandles(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

const handleIndex = fc.integer({ min: 0, max: HANDLES.length - 1 });
const peId = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 0x7fffffff, 0x80000000, 0xffffffff));
const owner = fc.constantFrom(...OWNERS);

const commands = [
  fc
    .tuple(
      handleIndex,
      peId,
      fc.constantFrom(...POLICIES),
      fc.constantFrom<TransportParameter['transport']>('sctp', 'sctp', 'tcp', 'udp'),
      fc.boolean(),
      values,
      owner,
      fc.option(fc.integer({ min: 1, max: 3 }), { freq: 3 }),
      fc.constantFrom(...TIMER_KINDS_LIST),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 9 }),
    )
    .map(
      ([h, id, policy, transport, cc, v, home, assoc, kind, at, match]) =>
        new RegisterCommand(h, id, match < 8, policy, transport, cc, v, home, assoc ?? undefined, kind, at),
    ),
  fc.tuple(handleIndex, peId).map(([h, id]) => new DeregisterCommand(h, id)),
  fc.tuple(handleIndex, fc.integer({ min: 1, max: 5 })).map(([h, k]) => new ResolveCommand(h, k)),
  fc
    .tuple(handleIndex, peId, fc.constantFrom(...TIMER_KINDS_LIST), fc.integer({ min: 0, max: 20 }))
    .map(([h, id, kind, at]) => new RescheduleCommand(h, id, kind, at)),
  fc.integer({ min: 1, max: 3 }).map((a) => new CloseAssociationCommand(a)),
  owner.map((o) => new RemoveOwnerCommand(o)),
  fc.tuple(owner, owner).map(([from, to]) => new TransferCommand(from, to)),
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.option(owner, { freq: 2 }), fc.nat())
    .map(([size, o, victim]) => new PageCommand(size, o ?? undefined, victim)),
];

/** Registrations dominate so pools fill up; everything else is spread over the rest. */
const weighted = fc.commands(
  [
    commands[0],
    commands[0],
    commands[0],
    commands[0],
    commands[2],
    commands[2],
    commands[1],
    commands[3],
    commands[4],
    commands[5],
    commands[6],
    commands[7],
  ],
  { maxCommands: 60, size: 'max' },
);

describe('handlespace against the array model', () => {
  it('default MaxIncrement: 400 command sequences', () => {
    fc.assert(
      fc.property(weighted, fc.integer({ min: 0, max: 2 ** 31 }), (cmds, seed) => {
        fc.modelRun(() => ({ model: new Model(seed), real: { hs: new Handlespace({ seed }) } }), cmds);
      }),
      { numRuns: 400, seed: 0x5eed },
    );
  });

  it('MaxIncrement 2 and 3: 200 command sequences', () => {
    fc.assert(
      fc.property(weighted, fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom(2, 3), (cmds, seed, m) => {
        fc.modelRun(
          () => ({ model: new Model(seed, m), real: { hs: new Handlespace({ seed, maxIncrement: m }) } }),
          cmds,
        );
      }),
      { numRuns: 200, seed: 0x5eed + 1 },
    );
  });
});
