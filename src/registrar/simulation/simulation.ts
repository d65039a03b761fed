/**
 * A whole operation scope in virtual time: N registrars, M PEs, K PUs on an in-memory network with
 * delay, loss, partitions and registrar failures. Everything random comes from the seed, so the
 * same options give the same {@link SimulationResult}.
 */
import type { AsapMessage, Message, Policy } from '../../../codecs/index.js';
import { Random } from '../../handlespace/index.js';
import { rsplibConfig } from '../config.js';
import type { RegistrarAction, RegistrarEvent } from '../events.js';
import { Registrar } from '../registrar.js';
import { EventQueue } from './queue.js';

/** Registrars `group` cut off from the rest during [from, until) ms. */
export interface Partition {
  readonly group: readonly number[];
  readonly from: number;
  readonly until: number;
}

/** Simulation parameters. */
export interface SimulationOptions {
  readonly registrars: number;
  readonly pes: number;
  readonly pus: number;
  readonly seconds: number;
  readonly seed: number;
  /** Probability that any one message is lost. */
  readonly loss?: number;
  /** Losses stop at this time (ms), so the run can end in a quiet period; default: never. */
  readonly lossUntil?: number;
  readonly partitions?: readonly Partition[];
  /** Registrar index → time (ms) at which it dies. */
  readonly kills?: ReadonlyMap<number, number>;
  /** Pools the PEs spread over. */
  readonly pools?: number;
  /** Registrars multicast a copy of each Presence (rsplib `-enrpannounce`); default true. */
  readonly enrpAnnounce?: boolean;
}

/** One agreement sample. */
export interface AgreementSample {
  readonly at: number;
  readonly agree: boolean;
  readonly sizes: readonly number[];
}

/** What happened. */
export interface SimulationResult {
  readonly registrations: number;
  readonly reregistrations: number;
  readonly refusals: number;
  readonly resolutions: number;
  /** Handle Resolutions that got no answer within the PU's request timeout (request or answer lost). */
  readonly resolutionTimeouts: number;
  readonly unknownPool: number;
  readonly latency: { readonly mean: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly removals: Readonly<Record<string, number>>;
  readonly takeovers: readonly { readonly at: number; readonly by: number; readonly target: number; readonly elements: number }[];
  readonly samples: readonly AgreementSample[];
  readonly finalAgreement: boolean;
  readonly finalChecksumsAgree: boolean;
  readonly messages: Readonly<Record<string, number>>;
  readonly lost: number;
  readonly internalErrors: number;
}

interface Pe {
  readonly index: number;
  readonly peId: number;
  readonly pool: Uint8Array;
  readonly port: number;
  readonly address: string;
  home: number; // registrar index
  association: number;
}

/** One Handle Resolution a PU has sent and not yet had answered. */
interface PendingRequest {
  readonly id: number;
  readonly sentAt: number;
}

interface Pu {
  readonly index: number;
  registrar: number;
  association: number;
  /** Outstanding requests by ID; latency is measured against the request that was answered. */
  readonly pending: Map<number, PendingRequest>;
}

/** One end of an ASAP association: the registrar index and the PE/PU on the other side. */
interface AsapAssociation {
  readonly registrar: number;
  readonly pe?: Pe;
  readonly pu?: Pu;
}

const POLICY: Policy = { name: 'roundRobin' };
const REGISTRATION_LIFE = 30_000;
const REREGISTER_EVERY = 10_000;
/** rsplib PU request timeout (registrar-behaviour.md §2.1): an unanswered request is given up. */
const REQUEST_TIMEOUT = 3000;

/** Runs the scenario to the end and returns its result. */
export function simulate(o: SimulationOptions): SimulationResult {
  const q = new EventQueue();
  const rnd = new Random(o.seed >>> 0);
  const loss = o.loss ?? 0;
  const n = o.registrars;
  const ids = Array.from({ length: n }, (_, i) => 0x1000 + i * 0x111);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const alive = ids.map(() => true);
  const regs = ids.map(
    (id, i) =>
      new Registrar(
        // rsplib's timers, but with the two convergence switches on: a stalled CK-2 re-sync is
        // retried (syncTimeout) and only a PE's home may delete it with DEL_PE (HU-2).
        rsplibConfig(id, { seed: (o.seed * 7919 + i) >>> 0, staticPeers: ids.filter((x) => x !== id), syncTimeout: 10_000, delPeRequiresHome: true, enrpAnnounce: o.enrpAnnounce ?? true }),
        () => q.now,
      ),
  );
  const asapAssoc = new Map<number, AsapAssociation>();
  let nextAssoc = 1;
  const pePorts = new Map<number, Pe>();
  const messages = new Map<string, number>();
  const removals = new Map<string, number>();
  const takeovers: { at: number; by: number; target: number; elements: number }[] = [];
  const latencies: number[] = [];
  let registrations = 0;
  let reregistrations = 0;
  let refusals = 0;
  let unknownPool = 0;
  let resolutionTimeouts = 0;
  let nextRequestId = 1;
  /**
   * The PU request the registrar is handling right now. The registrar answers a Handle Resolution
   * within the same `handle()` call, so the response it emits belongs to exactly this request.
   */
  let answering: PendingRequest | undefined;
  let lost = 0;
  let internalErrors = 0;

  const cut = (a: number, b: number): boolean => {
    for (const p of o.partitions ?? []) {
      if (q.now < p.from || q.now >= p.until) continue;
      if (p.group.includes(a) !== p.group.includes(b)) return true;
    }
    return false;
  };
  const delay = (): number => 1 + rnd.nextBelow(4);
  const dropped = (): boolean => {
    if (loss > 0 && q.now < (o.lossUntil ?? Number.POSITIVE_INFINITY) && rnd.nextFloat() < loss) {
      lost++;
      return true;
    }
    return false;
  };
  const count = (m: Message): void => {
    const k = `${m.protocol}.${m.type}`;
    messages.set(k, (messages.get(k) ?? 0) + 1);
  };

  const deliver = (i: number, ev: RegistrarEvent): void => {
    if (!alive[i]) return;
    apply(i, regs[i]!.handle(ev));
  };

  const apply = (i: number, actions: readonly RegistrarAction[]): void => {
    for (const a of actions) {
      switch (a.kind) {
        case 'send': {
          count(a.message);
          if (a.association >= 1_000_000) {
            const lo = Math.floor((a.association - 1_000_000) / 1000);
            const hi = (a.association - 1_000_000) % 1000;
            const j = lo === i ? hi : lo;
            sendEnrp(i, j, a.message);
          } else {
            const assoc = asapAssoc.get(a.association);
            if (assoc === undefined || dropped()) break;
            const m = a.message as AsapMessage;
            const request = answering;
            q.schedule(q.now + delay(), () => {
              if (assoc.pe !== undefined) peReceive(assoc.pe, i, a.association, m);
              else if (assoc.pu !== undefined) puReceive(assoc.pu, m, request);
            });
          }
          break;
        }
        case 'sendPeer': {
          count(a.message);
          const j = indexOf.get(a.peerId);
          if (j !== undefined) sendEnrp(i, j, a.message);
          break;
        }
        case 'sendEndpoint': {
          count(a.message);
          const pe = pePorts.get(a.transport.port);
          if (pe === undefined || dropped()) break;
          const m = a.message;
          q.schedule(q.now + delay(), () => peReceive(pe, i, undefined, m));
          break;
        }
        case 'multicast': {
          count(a.message);
          if (a.message.protocol !== 'enrp') break;
          const m = a.message;
          for (let j = 0; j < n; j++) {
            if (j === i || cut(i, j) || dropped()) continue;
            q.schedule(q.now + delay(), () => deliver(j, { kind: 'announce', source: { family: 'ipv4', address: `10.1.0.${j + 1}` }, message: m }));
          }
          break;
        }
        case 'abort': {
          const assoc = asapAssoc.get(a.association);
          asapAssoc.delete(a.association);
          // The PE learns of the abort and registers again on a fresh association.
          if (assoc?.pe !== undefined && assoc.pe.association === a.association) {
            const pe = assoc.pe;
            q.schedule(q.now + 100, () => connectAndRegister(pe));
          }
          break;
        }
        case 'timer':
          q.schedule(a.at, () => deliver(i, { kind: 'time' }));
          break;
        case 'log':
          onLog(i, a);
          break;
      }
    }
  };

  const onLog = (i: number, a: Extract<RegistrarAction, { kind: 'log' }>): void => {
    const d = a.detail ?? {};
    switch (a.event) {
      case 'pe.registered':
        registrations++;
        break;
      case 'pe.reregistered':
        reregistrations++;
        break;
      case 'registration.refused':
        refusals++;
        break;
      case 'pe.removed':
        removals.set(String(d.reason), (removals.get(String(d.reason)) ?? 0) + 1);
        break;
      case 'takeover.completed':
        takeovers.push({ at: q.now, by: i, target: indexOf.get(Number(d.target)) ?? -1, elements: Number(d.elements) });
        break;
      case 'internal.error':
      case 'send.closedAssociation':
        internalErrors++;
        break;
    }
  };

  const sendEnrp = (i: number, j: number, m: Message): void => {
    if (m.protocol !== 'enrp' || cut(i, j) || dropped()) return;
    q.schedule(q.now + delay(), () => deliver(j, { kind: 'enrp', association: enrpAssocIdx(i, j), message: m }));
  };
  // One ENRP association per pair of registrars, numbered by their indices.
  const enrpAssocIdx = (i: number, j: number): number => 1_000_000 + Math.min(i, j) * 1000 + Math.max(i, j);

  // ---- PEs -------------------------------------------------------------------------------
  const pools = Math.max(1, o.pools ?? Math.max(1, Math.ceil(o.pes / 50)));
  const pes: Pe[] = [];
  const usedIds = new Set<number>();
  for (let k = 0; k < o.pes; k++) {
    let peId = 0;
    while (peId === 0 || usedIds.has(peId)) peId = rnd.nextUint32();
    usedIds.add(peId);
    const pe: Pe = {
      index: k,
      peId,
      pool: new TextEncoder().encode(`pool-${k % pools}`),
      port: 20_000 + k,
      address: `10.2.${(k >> 8) & 255}.${k & 255}`,
      home: k % n,
      association: 0,
    };
    pes.push(pe);
    pePorts.set(pe.port, pe);
  }

  const connect = (registrar: number, address: string, port: number, end: AsapAssociation): number => {
    const id = nextAssoc++;
    asapAssoc.set(id, end);
    deliver(registrar, { kind: 'associationUp', association: id, protocol: 'asap', peerAddresses: [{ family: 'ipv4', address }], peerPort: port });
    return id;
  };

  const registerMessage = (pe: Pe): AsapMessage => ({
    protocol: 'asap',
    type: 'registration',
    poolHandle: pe.pool,
    poolElement: {
      peId: pe.peId,
      homeRegistrarId: 0,
      registrationLife: REGISTRATION_LIFE,
      userTransport: { transport: 'sctp', port: pe.port, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: pe.address }] },
      policy: POLICY,
    },
  });

  const peSend = (pe: Pe, m: AsapMessage): void => {
    count(m);
    const reg = pe.home;
    const assoc = pe.association;
    if (!alive[reg] || dropped()) return;
    q.schedule(q.now + delay(), () => deliver(reg, { kind: 'asap', association: assoc, message: m }));
  };

  const connectAndRegister = (pe: Pe): void => {
    if (!alive[pe.home]) return;
    pe.association = connect(pe.home, pe.address, pe.port, { registrar: pe.home, pe });
    peSend(pe, registerMessage(pe));
  };

  const reregisterLoop = (pe: Pe): void => {
    peSend(pe, registerMessage(pe));
    q.schedule(q.now + REREGISTER_EVERY, () => reregisterLoop(pe));
  };

  const peReceive = (pe: Pe, from: number, association: number | undefined, m: AsapMessage): void => {
    if (m.type !== 'endpointKeepAlive') return;
    if (m.flags.H && from !== pe.home) {
      // KA-4 / OB-4: the sender of H = 1 is the new home; answer on a new association.
      pe.home = from;
      pe.association = connect(from, pe.address, pe.port, { registrar: from, pe });
    } else if (association !== undefined && association !== pe.association) return;
    peSend(pe, { protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: pe.pool, peId: pe.peId });
  };

  pes.forEach((pe, k) => {
    const start = 6000 + Math.floor((k * 4000) / Math.max(1, o.pes));
    q.schedule(start, () => {
      connectAndRegister(pe);
      q.schedule(q.now + REREGISTER_EVERY, () => reregisterLoop(pe));
    });
  });

  // ---- PUs -------------------------------------------------------------------------------
  const pus: Pu[] = [];
  const puReceive = (pu: Pu, m: AsapMessage, request: PendingRequest | undefined): void => {
    if (m.type !== 'handleResolutionResponse') return;
    // Pair the answer with the request it answers, not with the oldest one outstanding: after a
    // loss the oldest is the lost one, and pairing with it inflated latencies by whole seconds.
    if (request === undefined || !pu.pending.delete(request.id)) return; // late: already timed out
    latencies.push(q.now - request.sentAt);
    if (m.operationError !== undefined) unknownPool++;
  };
  const deliverRequest = (reg: number, association: number, m: AsapMessage, request: PendingRequest): void => {
    answering = request;
    try {
      deliver(reg, { kind: 'asap', association, message: m });
    } finally {
      answering = undefined;
    }
  };
  const resolveLoop = (pu: Pu): void => {
    if (!alive[pu.registrar]) {
      // The PU hunts for another registrar (SA-2): the next live one.
      for (let d = 1; d <= n; d++) {
        const r = (pu.registrar + d) % n;
        if (alive[r]) {
          pu.registrar = r;
          pu.association = connect(r, `10.3.0.${pu.index & 255}`, 30_000 + pu.index, { registrar: r, pu });
          break;
        }
      }
    }
    const pool = new TextEncoder().encode(`pool-${rnd.nextBelow(pools)}`);
    const m: AsapMessage = { protocol: 'asap', type: 'handleResolution', poolHandle: pool };
    count(m);
    const request: PendingRequest = { id: nextRequestId++, sentAt: q.now };
    pu.pending.set(request.id, request);
    q.schedule(q.now + REQUEST_TIMEOUT, () => {
      if (pu.pending.delete(request.id)) resolutionTimeouts++;
    });
    const reg = pu.registrar;
    const assoc = pu.association;
    if (alive[reg] && !dropped()) q.schedule(q.now + delay(), () => deliverRequest(reg, assoc, m, request));
    q.schedule(q.now + 750 + rnd.nextBelow(500), () => resolveLoop(pu));
  };
  for (let k = 0; k < o.pus; k++) {
    const pu: Pu = { index: k, registrar: k % n, association: 0, pending: new Map() };
    pus.push(pu);
    q.schedule(12_000 + rnd.nextBelow(1000), () => {
      pu.association = connect(pu.registrar, `10.3.0.${k & 255}`, 30_000 + k, { registrar: pu.registrar, pu });
      resolveLoop(pu);
    });
  }

  // ---- registrars ------------------------------------------------------------------------
  regs.forEach((r, i) => q.schedule(i * 10, () => apply(i, r.start())));
  for (const [i, at] of o.kills ?? []) {
    if (i >= 0 && i < n) q.schedule(at, () => { alive[i] = false; });
  }

  // ---- agreement -------------------------------------------------------------------------
  const digest = (r: Registrar): string => {
    const parts: string[] = [];
    for (const e of r.handlespace.entries()) parts.push(`${Buffer.from(e.poolHandle).toString('hex')}/${e.peId}/${e.homeRegistrarId}`);
    return parts.join(',');
  };
  const checksumsAgree = (): boolean => {
    const live = regs.filter((_, i) => alive[i]);
    const owners = new Set<number>();
    for (const r of live) for (const o2 of r.handlespace.ownersWithElements()) owners.add(o2);
    for (const owner of owners) {
      const values = new Set(live.map((r) => r.handlespace.ownershipChecksum(owner)));
      if (values.size > 1) return false;
    }
    return true;
  };
  const samples: AgreementSample[] = [];
  const sample = (): void => {
    const live = regs.filter((_, i) => alive[i]);
    const d = live.map(digest);
    samples.push({ at: q.now, agree: d.every((x) => x === d[0]), sizes: regs.map((r, i) => (alive[i] ? r.handlespace.size : -1)) });
  };
  const end = o.seconds * 1000;
  for (let t = 10_000; t <= end; t += 10_000) q.schedule(t, sample);
  q.runUntil(end);

  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  const last = samples[samples.length - 1];
  return {
    registrations,
    reregistrations,
    refusals,
    resolutions: latencies.length,
    resolutionTimeouts,
    unknownPool,
    latency: {
      mean: sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length,
      p50: pct(0.5),
      p99: pct(0.99),
      max: sorted.length === 0 ? 0 : sorted[sorted.length - 1]!,
    },
    removals: Object.fromEntries([...removals].sort(([a], [b]) => a.localeCompare(b))),
    takeovers,
    samples,
    finalAgreement: last?.agree ?? true,
    finalChecksumsAgree: checksumsAgree(),
    messages: Object.fromEntries([...messages].sort(([a], [b]) => a.localeCompare(b))),
    lost,
    internalErrors,
  };
}
