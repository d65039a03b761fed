/**
 * A naive model of the handlespace on plain arrays, written straight from the digests
 * (`policies.md` §3–§5, `registrar-behaviour.md` §9, REG-3 … REG-6) and sharing no code with
 * `src/handlespace` except the seeded random source (so random draws can be compared exactly).
 * Every query sorts or scans from scratch.
 */
import type { PolicyName, PolicyValues, TransportParameter } from '../../codecs/types.js';
import { Random, type TimerKind } from '../../src/handlespace/index.js';

const MAX = 0xffffffff;

/** Round half to even, independently of the implementation's helper. */
function rintModel(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const SORTED: ReadonlySet<PolicyName> = new Set<PolicyName>([
  'roundRobin',
  'weightedRoundRobin',
  'priority',
  'leastUsed',
  'leastUsedDegradation',
  'priorityLeastUsed',
  'priorityLeastUsedDegradation',
  'leastUsedDpf',
  'leastUsedDegradationDpf',
]);
const DEGRADING: ReadonlySet<PolicyName> = new Set<PolicyName>([
  'leastUsedDegradation',
  'priorityLeastUsedDegradation',
  'leastUsedDegradationDpf',
]);
/** policies.md §2, DefaultMaxIncrement column. */
const DEFAULT_M: Readonly<Record<PolicyName, number>> = {
  roundRobin: 1,
  weightedRoundRobin: 1,
  random: 0,
  weightedRandom: 0,
  priority: 1,
  leastUsed: 1,
  leastUsedDegradation: 1,
  priorityLeastUsed: 1,
  randomizedLeastUsed: 1,
  randomizedPriorityLeastUsed: 1,
  randomizedLeastUsedDegradation: 1,
  priorityLeastUsedDegradation: 1,
  randomizedPriorityLeastUsedDegradation: 1,
  weightedRandomDpf: 0,
  leastUsedDpf: 1,
  leastUsedDegradationDpf: 1,
};

export interface ModelPe {
  pool: ModelPool;
  peId: number;
  home: number;
  association: number | undefined;
  /** Order in which the PE joined its current association. */
  bindOrder: number;
  timerKind: TimerKind;
  timerAt: number;
  serial: number;
  words: Required<PolicyValues>;
  seq: number;
  selectionCounter: number;
  vc: number;
  rc: number;
  deg: number;
}

export interface ModelPool {
  name: string;
  bytes: Uint8Array;
  policy: PolicyName;
  transport: TransportParameter['transport'];
  controlChannel: boolean;
  pes: ModelPe[];
  nextSeq: number;
}

export type ModelViolation = 'transportType' | 'transportUse' | 'policyType';

function words(v: PolicyValues): Required<PolicyValues> {
  return {
    weight: v.weight ?? 0,
    priority: v.priority ?? 0,
    load: v.load ?? 0,
    loadDegradation: v.loadDegradation ?? 0,
    loadDpf: v.loadDpf ?? 0,
    weightDpf: v.weightDpf ?? 0,
    distance: v.distance ?? 0,
  };
}

/** Pool handles: shorter first, then byte by byte. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The sort key of a PE of a sorted policy, from scratch (policies.md §2). */
export function modelKey(pe: ModelPe): number[] {
  const w = pe.words;
  switch (pe.pool.policy) {
    case 'roundRobin':
      return [];
    case 'weightedRoundRobin':
      return [pe.rc, pe.vc];
    case 'priority':
      return [-w.priority];
    case 'leastUsed':
      return [w.load];
    case 'leastUsedDegradation':
      return [Math.min(w.load + pe.deg, MAX)];
    case 'priorityLeastUsed':
      return [Math.min(w.load + w.loadDegradation, MAX)];
    case 'priorityLeastUsedDegradation':
      return [Math.min(w.load + w.loadDegradation + pe.deg, MAX)];
    case 'leastUsedDpf':
      return [Math.min(rintModel(w.load + w.distance * (w.loadDpf / MAX) * MAX), MAX)];
    case 'leastUsedDegradationDpf':
      return [Math.min(rintModel(w.load + pe.deg + w.distance * (w.loadDpf / MAX) * MAX), MAX)];
    default:
      return [pe.peId];
  }
}

/** The weight of a PE of a random policy, from scratch (policies.md §3.5). */
export function modelValue(pe: ModelPe): number {
  const w = pe.words;
  const clamp1 = (x: number): number => Math.min(Math.max(x, 1), MAX);
  switch (pe.pool.policy) {
    case 'random':
      return 1;
    case 'weightedRandom':
      return w.weight;
    case 'weightedRandomDpf': {
      const v = w.weight - rintModel(w.weight * (w.distance * (w.weightDpf / MAX)));
      return v < 0 ? 1 : Math.min(v, MAX);
    }
    case 'randomizedLeastUsed':
      return clamp1(MAX - w.load);
    case 'randomizedLeastUsedDegradation':
      return clamp1(MAX - w.load - pe.deg);
    case 'randomizedPriorityLeastUsed':
      return clamp1(MAX - w.load - w.loadDegradation);
    case 'randomizedPriorityLeastUsedDegradation':
      return clamp1(MAX - w.load - w.loadDegradation - pe.deg);
    default:
      return 0;
  }
}

function compareKeys(a: ModelPe, b: ModelPe): number {
  const ka = modelKey(a);
  const kb = modelKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return a.seq - b.seq;
}

/** The PEs of a pool in selection order. */
export function selectionOrder(pool: ModelPool): ModelPe[] {
  return SORTED.has(pool.policy)
    ? [...pool.pes].sort(compareKeys)
    : [...pool.pes].sort((a, b) => a.peId - b.peId);
}

/** The update hook (policies.md §3.5), state-changing part. */
function hook(pe: ModelPe): void {
  const policy = pe.pool.policy;
  if (policy === 'weightedRoundRobin') {
    if (pe.vc > 1) pe.vc--;
    else {
      pe.rc++;
      pe.vc = pe.words.weight;
    }
  } else if (DEGRADING.has(policy)) {
    pe.deg = Math.min(pe.deg + pe.words.loadDegradation, MAX);
  }
}

/** The registration data the model takes. */
export interface ModelRegistration {
  handle: Uint8Array;
  peId: number;
  home: number;
  policy: PolicyName;
  values: PolicyValues;
  transport: TransportParameter['transport'];
  controlChannel: boolean;
  association: number | undefined;
  timerKind: TimerKind;
  timerAt: number;
}

/** The naive handlespace. */
export class Model {
  pools: ModelPool[] = [];
  private serial = 0;
  private bindCounter = 0;
  readonly rng: Random;

  constructor(
    seed: number,
    readonly maxIncrement = 0,
  ) {
    this.rng = new Random(seed);
  }

  all(): ModelPe[] {
    return this.pools.flatMap((p) => p.pes);
  }

  pool(handle: Uint8Array): ModelPool | undefined {
    return this.pools.find((p) => compareBytes(p.bytes, handle) === 0);
  }

  find(handle: Uint8Array, peId: number): ModelPe | undefined {
    return this.pool(handle)?.pes.find((pe) => pe.peId === peId);
  }

  register(r: ModelRegistration): { ok: true; created: boolean } | { ok: false; violation: ModelViolation } {
    let pool = this.pool(r.handle);
    if (pool !== undefined) {
      if (pool.transport !== r.transport) return { ok: false, violation: 'transportType' };
      if (pool.controlChannel !== r.controlChannel) return { ok: false, violation: 'transportUse' };
      if (pool.policy !== r.policy) return { ok: false, violation: 'policyType' };
      const pe = pool.pes.find((p) => p.peId === r.peId);
      if (pe !== undefined) {
        const w = words(r.values);
        const changed = (Object.keys(w) as (keyof PolicyValues)[]).some((k) => w[k] !== pe.words[k]);
        if (changed || pe.deg !== 0) {
          pe.words = w;
          pe.deg = 0;
          pe.vc = Math.min(pe.vc, w.weight);
          hook(pe);
        }
        pe.home = r.home;
        this.bind(pe, r.association);
        pe.timerKind = r.timerKind;
        pe.timerAt = r.timerAt;
        return { ok: true, created: false };
      }
    } else {
      pool = {
        name: new TextDecoder('latin1').decode(r.handle),
        bytes: r.handle,
        policy: r.policy,
        transport: r.transport,
        controlChannel: r.controlChannel,
        pes: [],
        nextSeq: 0,
      };
      this.pools.push(pool);
      this.pools.sort((a, b) => compareBytes(a.bytes, b.bytes));
    }
    const first = selectionOrder(pool)[0];
    const pe: ModelPe = {
      pool,
      peId: r.peId,
      home: r.home,
      association: undefined,
      bindOrder: 0,
      timerKind: r.timerKind,
      timerAt: r.timerAt,
      serial: this.serial++,
      words: words(r.values),
      seq: pool.nextSeq++,
      selectionCounter: 0,
      vc: 0,
      rc: 0,
      deg: 0,
    };
    if (pool.policy === 'weightedRoundRobin') {
      pe.rc = first === undefined ? 0 : first.rc;
      pe.vc = pe.words.weight;
    }
    this.bind(pe, r.association);
    pool.pes.push(pe);
    hook(pe);
    return { ok: true, created: true };
  }

  private bind(pe: ModelPe, association: number | undefined): void {
    if (pe.association === association) return;
    pe.association = association;
    pe.bindOrder = this.bindCounter++;
  }

  remove(pe: ModelPe): void {
    const pool = pe.pool;
    pool.pes = pool.pes.filter((p) => p !== pe);
    if (pool.pes.length === 0) this.pools = this.pools.filter((p) => p !== pool);
  }

  /** Handle resolution: the rsplib engine, re-derived from policies.md §3.4 / §3.6. */
  resolve(handle: Uint8Array, maxItems: number): ModelPe[] | undefined {
    const pool = this.pool(handle);
    if (pool === undefined) return undefined;
    const k = Math.min(maxItems, 128);
    const m = this.maxIncrement === 0 ? DEFAULT_M[pool.policy] : this.maxIncrement;
    if (SORTED.has(pool.policy)) {
      const result = selectionOrder(pool).slice(0, k);
      for (let i = 0; i < Math.min(m, result.length); i++) {
        const pe = result[i];
        pe.seq = pool.nextSeq++;
        pe.selectionCounter++;
        hook(pe);
        hook(pe);
      }
      return result;
    }
    const remaining = [...pool.pes].sort((a, b) => a.peId - b.peId);
    const picks: ModelPe[] = [];
    while (picks.length < k) {
      const sum = remaining.reduce((s, pe) => s + modelValue(pe), 0);
      if (sum < 1) break;
      let r = this.rng.nextBelow(sum);
      const index = remaining.findIndex((pe) => {
        const v = modelValue(pe);
        if (r < v) return true;
        r -= v;
        return false;
      });
      const pe = remaining[index];
      pe.seq = pool.nextSeq++;
      pe.selectionCounter++;
      if (picks.length < m) hook(pe);
      remaining.splice(index, 1);
      picks.push(pe);
    }
    for (const pe of picks) hook(pe);
    return picks;
  }

  /** Handle-table order: pool handle, then PE ID. */
  tableOrder(owner?: number): ModelPe[] {
    return this.pools.flatMap((p) =>
      [...p.pes].filter((pe) => owner === undefined || pe.home === owner).sort((a, b) => a.peId - b.peId),
    );
  }

  timerOrder(): ModelPe[] {
    return this.all().sort((a, b) => a.timerAt - b.timerAt || a.serial - b.serial);
  }

  ownershipOrder(): ModelPe[] {
    return this.all().sort(
      (a, b) => a.home - b.home || compareBytes(a.pool.bytes, b.pool.bytes) || a.peId - b.peId,
    );
  }

  associationMembers(association: number): ModelPe[] {
    return this.all()
      .filter((pe) => pe.association === association)
      .sort((a, b) => a.bindOrder - b.bindOrder);
  }

  /** The PE checksum of an owner, straight from §9: words of padded handle ‖ PE ID, folded. */
  checksum(owner: number): number {
    let sum = 0;
    for (const pe of this.all()) {
      if (pe.home !== owner) continue;
      const bytes = [...pe.pool.bytes];
      if (bytes.length % 2 === 1) bytes.push(0);
      bytes.push(pe.peId >>> 24, (pe.peId >>> 16) & 0xff, (pe.peId >>> 8) & 0xff, pe.peId & 0xff);
      for (let i = 0; i < bytes.length; i += 2) sum = (sum + bytes[i] * 256 + bytes[i + 1]) % 2 ** 32;
    }
    while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
    return ~sum & 0xffff;
  }
}
