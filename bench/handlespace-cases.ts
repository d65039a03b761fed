/**
 * The handlespace benchmark definitions, TypeScript side. `bench/hsbench.c` mirrors every
 * definition for rsplib, operation for operation (same generator, same seed, same PE IDs).
 *
 * Setting: one pool "BenchPool" of `pes` PEs, all owned by this registrar, bound to 64 SCTP
 * associations, one SCTP user transport and ASAP transport each. Every registration (new or
 * re-registration) also (re)starts the PE's one timer at now + 30 s, as a registrar does, and
 * advances the clock by 1 ms. PE IDs are an invertible mix of a counter: unique and scattered.
 */
import type { Policy, TransportParameter } from '../codecs/types.js';
import {
  Handlespace,
  type HandleTableCursor,
  type PoolElementEntry,
  Random,
  type RegistrablePoolElement,
} from '../src/handlespace/index.js';

/** The policies measured (the seed papers' choice). */
export const BENCH_POLICIES = ['roundRobin', 'random', 'leastUsed'] as const;
export type BenchPolicy = (typeof BENCH_POLICIES)[number];

/** The measurements; `sync` counts PE entries delivered, every other one counts operations. */
export const MEASUREMENTS = ['regdereg', 'rereg', 'timer', 'hr1', 'hr3', 'sync'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

/** What each measurement does, for the printed legend. */
export const MEASUREMENT_TITLES: Readonly<Record<Measurement, string>> = Object.freeze({
  regdereg: 'registration/deregistration (deregister a random PE when full, else register one)',
  rereg: 're-registration of a random PE (LeastUsed: new random load)',
  timer: 'timer reschedule of a random PE (lookup + reschedule)',
  hr1: 'handle resolution, MaxHResItems 1',
  hr3: 'handle resolution, MaxHResItems 3',
  sync: 'full synchronisation traversal in blocks of 128 (op = one PE entry)',
});

const OWN_ID = 0x11111111;
const LIFE_MS = 30000;
const BATCH = 256;

/** The invertible counter mix of hsbench.c: unique, non-zero, scattered PE IDs. */
export function peIdOf(n: number): number {
  let x = n >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

const USER: TransportParameter = {
  transport: 'sctp',
  port: 5000,
  transportUse: 'dataPlusControl',
  addresses: [{ family: 'ipv4', address: '10.0.0.1' }],
};
const ASAP: TransportParameter = {
  transport: 'sctp',
  port: 3863,
  transportUse: 'dataOnly',
  addresses: [{ family: 'ipv4', address: '10.0.0.1' }],
};

/**
 * Process CPU time in seconds (user + system, all threads, so V8's GC and compiler threads
 * count). The machine is shared; wall time would also count other processes' turns.
 */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One benchmark cell's state: a handlespace holding one pool of `pes` PEs. */
export class BenchCase {
  readonly hs: Handlespace;
  private readonly handle = new TextEncoder().encode('BenchPool');
  private readonly rng: Random;
  private readonly ids: number[] = [];
  private nextCounter = 0;
  /** The registrar's clock in milliseconds; every registration advances it by one. */
  private now = 1000000;
  private readonly out: PoolElementEntry[] = [];
  private readonly fixedPolicy: Policy;

  constructor(
    readonly policy: BenchPolicy,
    readonly pes: number,
    seed: number,
  ) {
    this.hs = new Handlespace({ seed });
    this.rng = new Random(seed);
    this.fixedPolicy = { name: policy, weight: 1 };
    while (this.ids.length < pes) this.addNew();
  }

  private registerPe(peId: number): void {
    const policy: Policy =
      this.policy === 'leastUsed' ? { name: 'leastUsed', load: this.rng.nextUint32() } : this.fixedPolicy;
    const element: RegistrablePoolElement = {
      peId,
      homeRegistrarId: OWN_ID,
      registrationLife: LIFE_MS,
      userTransport: USER,
      asapTransport: ASAP,
      policy,
    };
    this.now++;
    const r = this.hs.register(this.handle, element, 'expiry', this.now + LIFE_MS, 1 + (peId & 63));
    if (!r.ok) throw new Error('registration refused');
  }

  private addNew(): void {
    const id = peIdOf(++this.nextCounter);
    this.registerPe(id);
    this.ids.push(id);
  }

  private removeAt(i: number): void {
    if (this.hs.deregister(this.handle, this.ids[i]) === undefined) throw new Error('deregistration failed');
    const last = this.ids.pop() as number;
    if (i < this.ids.length) this.ids[i] = last;
  }

  /** Runs one batch of `m`; returns the operations it counted. */
  batch(m: Measurement): number {
    const rng = this.rng;
    const ids = this.ids;
    switch (m) {
      case 'regdereg':
        for (let i = 0; i < BATCH; i++) {
          if (ids.length >= this.pes) this.removeAt(rng.nextBelow(ids.length));
          else this.addNew();
        }
        return BATCH;
      case 'rereg':
        for (let i = 0; i < BATCH; i++) this.registerPe(ids[rng.nextBelow(ids.length)]);
        return BATCH;
      case 'timer':
        for (let i = 0; i < BATCH; i++) {
          const e = this.hs.find(this.handle, ids[rng.nextBelow(ids.length)]) as PoolElementEntry;
          this.hs.scheduleTimer(e, 'expiry', this.now + 1 + rng.nextBelow(1000000));
        }
        return BATCH;
      case 'hr1':
      case 'hr3': {
        const k = m === 'hr1' ? 1 : 3;
        for (let i = 0; i < BATCH; i++) {
          const r = this.hs.resolve(this.handle, k, this.out);
          if (r === undefined || r.length === 0) throw new Error('empty resolution');
        }
        return BATCH;
      }
      case 'sync': {
        let total = 0;
        let cursor: HandleTableCursor | null = null;
        for (;;) {
          const page = this.hs.readHandleTable(cursor, 128, this.out);
          total += page.count;
          if (page.exhausted) break;
          cursor = page.cursor;
        }
        if (total !== ids.length) throw new Error(`sync delivered ${total} of ${ids.length} PEs`);
        return total;
      }
    }
  }

  /** One timed run: batches until at least `minMs` of process CPU time have passed; ops/s. */
  run(m: Measurement, minMs: number): number {
    let ops = 0;
    // Reading the CPU clock is a system call; batches between readings grow until a reading
    // comes every 2 ms or more (hsbench.c does the same).
    let reps = 1;
    const start = cpuSeconds();
    let last = start;
    let elapsed: number;
    do {
      for (let i = 0; i < reps; i++) ops += this.batch(m);
      const now = cpuSeconds();
      if (now - last < 0.002) reps *= 2;
      last = now;
      elapsed = now - start;
    } while (elapsed < minMs / 1000);
    if (this.hs.size !== this.ids.length) throw new Error('PE count mismatch');
    return ops / elapsed;
  }

  /** Warm-up run plus `runs` timed runs; ops/s per run. */
  measure(m: Measurement, runs: number, minMs: number): number[] {
    this.run(m, minMs);
    return Array.from({ length: runs }, () => this.run(m, minMs));
  }
}
