/**
 * Builds stateful sequences of ASAP and ENRP messages from the campaign seed: PEs register and
 * then re-register, deregister and answer Keep-Alives, PUs resolve and report unreachable PEs,
 * peer registrars run ENRP procedures in and out of order, with unknown senders, extreme values,
 * foreign and random messages, and a share of messages broken by the codec fuzzer's named
 * mutations. Every choice comes from one {@link Random} derived from (seed, index).
 */
import fc from 'fast-check';
import { message as anyMessageArb } from '../../codecs/arbitraries.js';
import { POLICY_WORDS, PPID, UPDATE_ACTION, encode, parameterOffset, type Address, type Message, type PolicyName, type Policy, type PoolElement, type TransportParameter } from '../../codecs/index.js';
import type { Role } from '../../src/conformance/target.js';
import { Random } from '../../src/util/random.js';
import { applyMutation } from '../mutations.js';
import { randomMutations } from '../random-mutation.js';
import type { FuzzSequence, SendStep, Step } from './sequence.js';

/** What the generator must know about the target. */
export interface GeneratorOptions {
  /** Addresses PEs register; a strict registrar accepts only the association's peer address (REG-8). */
  readonly peAddresses: readonly Address[];
  /** Sleeps are real time: keep them short. */
  readonly realTime: boolean;
  /** Peer registrar actors are possible (the target has an ENRP port). */
  readonly peers: boolean;
  /** The target's server ID, when known (Receiving Server IDs, takeover targets). */
  readonly targetServerId?: number;
  /** Share of messages mutated (default 0.2). */
  readonly malformedRate?: number;
  /** Most steps per sequence (default 24). */
  readonly maxSteps?: number;
  /**
   * Longest pool handle in well-formed messages (default: no limit, up to 255 octets). Capping it
   * lets a campaign go past a known crash on long handles (mutations may still make longer ones).
   */
  readonly maxPoolHandle?: number;
}

const BOUNDARY_U32 = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff] as const;
const POLICY_NAMES = Object.keys(POLICY_WORDS) as PolicyName[];
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * Whether the octets may hold a Pool Handle parameter (type 0x0009 under any action bits) longer
 * than `max` at any 4-aligned offset: deliberately over-approximate, the receiver's parse of
 * broken octets is unknown.
 */
export function hasLongPoolHandle(bytes: Uint8Array, max: number): boolean {
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    if ((((bytes[i]! << 8) | bytes[i + 1]!) & 0x3fff) === 0x0009 && ((bytes[i + 2]! << 8) | bytes[i + 3]!) > max + 4) return true;
  }
  return false;
}

/** A random generator of (seed, index): sequences are independent of each other and rebuildable. */
export function sequenceRandom(seed: number, index: number): Random {
  return new Random((index % 0x20_0000) * 0x1_0000_0000 + (seed >>> 0));
}

interface PeActor {
  readonly name: string;
  /** Registrations this PE made: pool (index into the pools) and PE ID. */
  readonly registered: { pool: number; peId: number; policy: PolicyName }[];
}

/** Generates sequence `index` of the campaign `seed`. */
export function generateSequence(seed: number, index: number, o: GeneratorOptions): FuzzSequence {
  return new SequenceBuilder(sequenceRandom(seed, index), seed, index, o).build();
}

class SequenceBuilder {
  private readonly steps: Step[] = [];
  private readonly pools: Uint8Array[] = [];
  private readonly pes: PeActor[] = [];
  private readonly pus: string[] = [];
  private readonly peers: { name: string; id: number; announced: { pool: number; peId: number }[] }[] = [];

  constructor(
    private readonly r: Random,
    private readonly seed: number,
    private readonly index: number,
    private readonly o: GeneratorOptions,
  ) {}

  build(): FuzzSequence {
    const r = this.r;
    const poolCount = 1 + r.nextBelow(2);
    for (let k = 0; k < poolCount; k++) this.pools.push(this.poolHandle(k));
    for (let k = 1 + r.nextBelow(3); k > 0; k--) this.pes.push({ name: `pe${this.pes.length + 1}`, registered: [] });
    for (let k = r.nextBelow(3); k > 0; k--) this.pus.push(`pu${this.pus.length + 1}`);
    if (this.o.peers) for (let k = r.nextBelow(3); k > 0; k--) this.peers.push({ name: `peer${this.peers.length + 1}`, id: this.u32(), announced: [] });
    // Most sequences start like a real deployment: every PE registers first.
    if (r.nextBelow(4) !== 0) for (const pe of this.pes) this.register(pe, false);
    const n = 3 + r.nextBelow((this.o.maxSteps ?? 24) - 2);
    while (this.steps.length < n) this.step();
    return { index: this.index, steps: this.steps, sanityPool: toHex(this.pools[0]!) };
  }

  // ----- values -----------------------------------------------------------------------------

  private u32(): number {
    return this.r.nextBelow(8) === 0 ? this.r.pick(BOUNDARY_U32) : this.r.nonZeroUint32();
  }

  private poolHandle(k: number): Uint8Array {
    const h = this.rawPoolHandle(k);
    const max = this.o.maxPoolHandle;
    return max !== undefined && h.length > max ? h.slice(0, max) : h;
  }

  private rawPoolHandle(k: number): Uint8Array {
    const r = this.r;
    switch (r.nextBelow(12)) {
      case 0:
        return r.bytes(1 + r.nextBelow(40)); // binary, sometimes over rsplib's 32-octet limit
      case 1:
        return text('x'.repeat(r.pick([1, 31, 32, 33, 64, 255])));
      case 2:
        return text('fuzz-shared'); // shared by every sequence: state accumulates across them
      default:
        return text(`fz${this.seed.toString(36)}-${this.index.toString(36)}-${k}`);
    }
  }

  private policy(): Policy {
    const name = this.r.nextBelow(3) === 0 ? 'roundRobin' : this.r.pick(POLICY_NAMES);
    const p: Record<string, unknown> = { name };
    for (const w of POLICY_WORDS[name]) p[w] = this.r.nextBelow(3) === 0 ? this.r.pick(BOUNDARY_U32) : this.r.nextBelow(1000);
    return p as unknown as Policy;
  }

  private addresses(): Address[] {
    const r = this.r;
    const own = [...this.o.peAddresses];
    switch (r.nextBelow(14)) {
      case 0:
        return [...own, { family: 'ipv4', address: '192.0.2.77' }]; // plus a foreign address
      case 1:
        return [{ family: 'ipv4', address: r.pick(['0.0.0.0', '255.255.255.255', '127.0.0.1', '224.0.0.1', '10.99.0.1']) }];
      case 2:
        return [...own, { family: 'ipv6', address: r.pick(['::1', '::', 'fe80::1', '2001:db8::1']) }];
      case 3:
        return [...own, ...Array.from({ length: 8 + r.nextBelow(24) }, (_, i): Address => ({ family: 'ipv4', address: `10.77.${i >> 8}.${i & 0xff}` }))];
      default:
        return own;
    }
  }

  private transport(): TransportParameter {
    const r = this.r;
    const port = r.nextBelow(10) === 0 ? r.pick([0, 1, 65535]) : 1024 + r.nextBelow(60000);
    const addresses = this.addresses();
    switch (r.nextBelow(12)) {
      case 0:
        return { transport: 'tcp', port, transportUse: 'dataOnly', addresses: addresses.slice(0, 1) };
      case 1:
        return { transport: 'udp', port, addresses: addresses.slice(0, 1) };
      default:
        return { transport: 'sctp', port, transportUse: r.nextBelow(4) === 0 ? 'dataPlusControl' : 'dataOnly', addresses };
    }
  }

  private registrationLife(): number {
    return this.r.nextBelow(5) === 0 ? this.r.pick(BOUNDARY_U32) : this.r.pick([1000, 5000, 30_000, 90_000, 300_000]);
  }

  private poolElement(peId: number, home: number, withAsap: boolean, policy?: Policy): PoolElement {
    const e: PoolElement = { peId, homeRegistrarId: home, registrationLife: this.registrationLife(), userTransport: this.transport(), policy: policy ?? this.policy() };
    return withAsap ? { ...e, asapTransport: { transport: 'sctp', port: 3863, transportUse: 'dataOnly', addresses: [...this.o.peAddresses] } } : e;
  }

  /** Some pool handle: ours mostly, sometimes one nobody registered. */
  private somePool(): { handle: Uint8Array; k: number } {
    if (this.r.nextBelow(10) === 0) return { handle: this.r.nextBelow(3) === 0 ? this.poolHandle(-1) : text(`unknown-${this.r.nextBelow(1000)}`), k: -1 };
    const k = this.r.nextBelow(this.pools.length);
    return { handle: this.pools[k]!, k };
  }

  /** A PE ID known in this sequence (registered or announced), or a fresh one. */
  private somePeId(): number {
    const known = [...this.pes.flatMap((p) => p.registered.map((x) => x.peId)), ...this.peers.flatMap((p) => p.announced.map((x) => x.peId))];
    return known.length > 0 && this.r.nextBelow(4) !== 0 ? this.r.pick(known) : this.u32();
  }

  // ----- steps ------------------------------------------------------------------------------

  private send(actor: string, role: Role, m: Message, serverId?: number): void {
    const r = this.r;
    let label = `${m.protocol}.${m.type}`;
    let bytes: Uint8Array;
    try {
      bytes = encode(m);
    } catch {
      // Values the encoder refuses (e.g. a 255-octet handle in a too-long message): send random octets instead.
      bytes = r.bytes(4 + r.nextBelow(60));
      label = `${label}:unencodable`;
    }
    let ppid: number = m.protocol === 'asap' ? PPID.asap : PPID.enrp;
    let malformed = false;
    const own = role === 'peer' ? 'enrp' : 'asap';
    if (m.protocol !== own) malformed = true; // a foreign protocol's message on this association
    if (r.nextFloat() < (this.o.malformedRate ?? 0.2)) {
      const muts = randomMutations(r, 3);
      let mutated = bytes;
      for (const mu of muts) mutated = applyMutation(mutated, mu, parameterOffset(m.protocol, mutated));
      // With a pool handle cap, a mutation that makes a longer handle is dropped (the message goes out intact).
      if (this.o.maxPoolHandle === undefined || !hasLongPoolHandle(mutated, this.o.maxPoolHandle)) {
        bytes = mutated;
        label = `${label}+${muts.map((x) => x.kind).join(',')}`;
        malformed = true;
      }
    }
    ppid = own === 'asap' ? PPID.asap : PPID.enrp;
    if (r.nextBelow(100) === 0) {
      // The other protocol's PPID: T-3 lets the registrar abort, so it counts as a cause.
      ppid = own === 'asap' ? PPID.enrp : PPID.asap;
      label = `${label}:ppid${ppid}`;
      malformed = true;
    }
    // Arbitrary messages carry handles up to 48 octets: with a cap, such a step is left out.
    if (this.o.maxPoolHandle !== undefined && hasLongPoolHandle(bytes, this.o.maxPoolHandle)) return;
    const step: SendStep = { op: 'send', actor, role, hex: toHex(bytes), ppid, label, malformed, ...(serverId !== undefined ? { serverId } : {}) };
    this.steps.push(step);
  }

  private register(pe: PeActor, update: boolean): void {
    const r = this.r;
    const { handle, k } = this.somePool();
    let peId = this.u32();
    let policy: Policy | undefined;
    if (update && pe.registered.length > 0) {
      const prev = r.pick(pe.registered);
      peId = prev.peId; // re-registration: same PE, new values (or another pool's policy)
      if (r.nextBelow(2) === 0) policy = { name: prev.policy } as Policy;
    } else if (r.nextBelow(8) === 0) {
      peId = this.somePeId(); // another PE's ID: a duplicate from a different association (REG-7)
    }
    const element = this.poolElement(peId, r.nextBelow(6) === 0 ? this.u32() : 0, r.nextBelow(10) === 0, policy?.name !== undefined && POLICY_WORDS[policy.name].length === 0 ? policy : undefined);
    this.send(pe.name, 'pe', { protocol: 'asap', type: 'registration', poolHandle: handle, poolElement: element });
    if (k >= 0) pe.registered.push({ pool: k, peId, policy: element.policy.name as PolicyName });
  }

  private step(): void {
    const r = this.r;
    const roll = r.nextBelow(100);
    const pe = r.pick(this.pes);
    if (roll < 14) return this.register(pe, r.nextBelow(2) === 0);
    if (roll < 20) {
      const reg = pe.registered.length > 0 && r.nextBelow(4) !== 0 ? r.pick(pe.registered) : undefined;
      const handle = reg !== undefined ? this.pools[reg.pool]! : this.somePool().handle;
      this.send(pe.name, 'pe', { protocol: 'asap', type: 'deregistration', poolHandle: handle, peId: reg?.peId ?? this.somePeId() });
      return;
    }
    if (roll < 24) {
      this.send(pe.name, 'pe', { protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: this.somePool().handle, peId: this.somePeId() });
      return;
    }
    if (roll < 38) {
      const pu = this.pus.length > 0 ? r.pick(this.pus) : pe.name;
      const role: Role = this.pus.includes(pu) ? 'pu' : 'pe';
      const items = r.nextBelow(3) === 0 ? r.pick(BOUNDARY_U32) : undefined;
      this.send(pu, role, { protocol: 'asap', type: 'handleResolution', poolHandle: this.somePool().handle, ...(items !== undefined ? { items } : {}) });
      return;
    }
    if (roll < 46) {
      const pu = this.pus.length > 0 ? r.pick(this.pus) : pe.name;
      this.send(pu, this.pus.includes(pu) ? 'pu' : 'pe', { protocol: 'asap', type: 'endpointUnreachable', poolHandle: this.somePool().handle, peId: this.somePeId() });
      return;
    }
    if (roll < 70 && this.peers.length > 0) return this.enrpStep();
    if (roll < 76) {
      // Any message type, with arbitrary values, from any actor: out-of-state and unexpected types.
      const m = fc.sample(anyMessageArb, { seed: r.nextUint32() | 0, numRuns: 1 })[0]!;
      const peer = m.protocol === 'enrp' && this.peers.length > 0 && r.nextBelow(4) !== 0 ? r.pick(this.peers) : undefined;
      if (peer !== undefined) this.send(peer.name, 'peer', m, peer.id);
      else this.send(pe.name, 'pe', m);
      return;
    }
    if (roll < 80) {
      // Random octets.
      let bytes = r.bytes(r.nextBelow(80));
      if (this.o.maxPoolHandle !== undefined && hasLongPoolHandle(bytes, this.o.maxPoolHandle)) bytes = new Uint8Array(4);
      const peer = this.peers.length > 0 && r.nextBelow(3) === 0 ? r.pick(this.peers) : undefined;
      this.steps.push({ op: 'send', actor: peer?.name ?? pe.name, role: peer !== undefined ? 'peer' : 'pe', ...(peer !== undefined ? { serverId: peer.id } : {}), hex: toHex(bytes), ppid: peer !== undefined ? PPID.enrp : PPID.asap, label: 'random', malformed: true });
      return;
    }
    if (roll < 86) {
      const all = [...this.pes.map((p) => p.name), ...this.pus, ...this.peers.map((p) => p.name)];
      this.steps.push({ op: 'close', actor: r.pick(all), abort: r.nextBelow(2) === 0 });
      return;
    }
    // Time passes: keep-alives, lifetimes, peer timeouts (virtual time makes long sleeps free).
    const ms = this.o.realTime ? r.pick([0, 10, 50, 200]) : r.pick([10, 1000, 5000, 10_000, 30_000, 65_000, 120_000]);
    this.steps.push({ op: 'sleep', ms });
  }

  private enrpStep(): void {
    const r = this.r;
    const peer = r.pick(this.peers);
    // Unknown senders: IDs no association belongs to, 0, or the target's own ID.
    const senderId = r.nextBelow(8) === 0 ? r.pick([0, this.o.targetServerId ?? 0x5e5e0001, this.u32()]) : peer.id;
    const receiverId = r.nextBelow(6) === 0 ? this.u32() : (this.o.targetServerId ?? 0);
    const ids = { senderId, receiverId };
    const other = (): number => (this.peers.length > 1 && r.nextBelow(2) === 0 ? r.pick(this.peers).id : r.nextBelow(3) === 0 ? (this.o.targetServerId ?? this.u32()) : this.u32());
    const send = (m: Message): void => this.send(peer.name, 'peer', m, peer.id);
    switch (r.nextBelow(11)) {
      case 0:
      case 1: {
        const withInfo = r.nextBelow(5) !== 0;
        send({
          protocol: 'enrp',
          type: 'presence',
          flags: { R: r.nextBelow(3) === 0 },
          ...ids,
          peChecksum: r.nextBelow(4) === 0 ? 0xffff : r.nextBelow(0x10000),
          ...(withInfo ? { serverInformation: { serverId: peer.id, transport: { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses: [...this.o.peAddresses] } } } : {}),
        });
        return;
      }
      case 2:
      case 3: {
        const { handle, k } = this.somePool();
        const del = r.nextBelow(3) === 0;
        const known = peer.announced.length > 0 && del ? r.pick(peer.announced) : undefined;
        const peId = known?.peId ?? this.somePeId();
        const action = r.nextBelow(12) === 0 ? r.pick([2, 0xffff]) : del ? UPDATE_ACTION.delPe : UPDATE_ACTION.addPe;
        send({ protocol: 'enrp', type: 'handleUpdate', flags: { T: r.nextBelow(10) === 0 }, ...ids, updateAction: action, poolHandle: known ? this.pools[known.pool]! : handle, poolElement: this.poolElement(peId, r.nextBelow(5) === 0 ? other() : peer.id, true) });
        if (!del && k >= 0) peer.announced.push({ pool: k, peId });
        return;
      }
      case 4:
        send({ protocol: 'enrp', type: 'handleTableRequest', flags: { W: r.nextBelow(2) === 0 }, ...ids });
        return;
      case 5: {
        const pools = Array.from({ length: r.nextBelow(3) }, () => {
          const { handle, k } = this.somePool();
          const elements = Array.from({ length: 1 + r.nextBelow(3) }, () => {
            const peId = this.somePeId();
            if (k >= 0) peer.announced.push({ pool: k, peId });
            return this.poolElement(peId, r.nextBelow(4) === 0 ? other() : peer.id, true);
          });
          return { poolHandle: handle, poolElements: elements };
        });
        send({ protocol: 'enrp', type: 'handleTableResponse', flags: { R: r.nextBelow(5) === 0, M: r.nextBelow(3) === 0 }, ...ids, pools });
        return;
      }
      case 6:
        send({ protocol: 'enrp', type: 'listRequest', ...ids });
        return;
      case 7: {
        const servers = this.peers.map((p) => ({ serverId: p.id, transport: { transport: 'sctp' as const, port: 9901, transportUse: 'dataOnly' as const, addresses: [...this.o.peAddresses] } }));
        send({ protocol: 'enrp', type: 'listResponse', flags: { R: r.nextBelow(5) === 0 }, ...ids, servers });
        return;
      }
      case 8:
        send({ protocol: 'enrp', type: 'initTakeover', ...ids, targetId: other() });
        return;
      case 9:
        send({ protocol: 'enrp', type: r.nextBelow(2) === 0 ? 'initTakeoverAck' : 'takeoverServer', ...ids, targetId: other() });
        return;
      default:
        send({ protocol: 'enrp', type: 'error', ...ids, operationError: { causes: [{ code: r.nextBelow(0x10000), info: r.bytes(r.nextBelow(12)) }] } });
    }
  }
}
