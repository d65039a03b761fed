/**
 * Target-agnostic building blocks of the cases: message builders, driver roles (a PE that answers
 * Keep-Alives, a peer PR that answers probes and table requests) and expectations that turn into
 * FAIL / TIMEOUT verdicts.
 */
import { computeChecksum } from '../src/handlespace/checksum.js';
import type { CaseContext } from '../src/conformance/case.js';
import { CaseFailure, CaseTimeout } from '../src/conformance/case.js';
import { describeMessage } from '../src/conformance/describe.js';
import type { Endpoint, Received } from '../src/conformance/target.js';
import type {
  AsapHandleResolutionResponse,
  AsapMessage,
  AsapRegistration,
  EnrpHandleUpdate,
  EnrpMessage,
  EnrpPresence,
  Message,
  Policy,
  PoolElement,
  TransportParameter,
} from '../codecs/index.js';

export { req } from './requirements.js';

/** Messages of one type. */
export type Of<T extends Message['type'], M extends Message = Message> = Extract<M, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Checks

/** Fails the case with `requirement` unless `ok`. */
export function check(ok: boolean, requirement: string, expected: string, actual: string | (() => string)): asserts ok {
  if (!ok) throw new CaseFailure(requirement, expected, typeof actual === 'function' ? actual() : actual);
}

/** Waits for the first message matching `match`; others are passed over (they stay in the trace). */
export async function expectMessage<M extends Message>(
  ep: Endpoint,
  match: (m: Message) => m is M,
  withinMs: number,
  requirement: string,
  what: string,
): Promise<M & { readonly received: Received }> {
  const deadline = ep.now() + withinMs;
  for (;;) {
    const r = await ep.receive(Math.max(0, deadline - ep.now()));
    if (r === undefined) throw new CaseTimeout(requirement, what, withinMs);
    if (match(r.message)) return Object.assign({}, r.message, { received: r }) as M & { readonly received: Received };
  }
}

/** Waits for the next message of any type. */
export async function expectAny(ep: Endpoint, withinMs: number, requirement: string, what: string): Promise<Message> {
  const r = await ep.receive(withinMs);
  if (r === undefined) throw new CaseTimeout(requirement, what, withinMs);
  return r.message;
}

/** Waits for a message of `type` (and `where`, if given). */
export function expectType<T extends Message['type']>(
  ep: Endpoint,
  type: T,
  withinMs: number,
  requirement: string,
  where: (m: Of<T>) => boolean = () => true,
  what = type as string,
): Promise<Of<T> & { readonly received: Received }> {
  return expectMessage(ep, (m): m is Of<T> => m.type === type && where(m as Of<T>), withinMs, requirement, what);
}

/** Lets `withinMs` pass and fails if a matching message arrives meanwhile. */
export async function expectNone(ep: Endpoint, match: (m: Message) => boolean, withinMs: number, requirement: string, what: string): Promise<void> {
  const deadline = ep.now() + withinMs;
  for (;;) {
    const r = await ep.receive(Math.max(0, deadline - ep.now()));
    if (r === undefined) return;
    check(!match(r.message), requirement, `no ${what}`, describeMessage(r.message));
  }
}

/**
 * Slack, ms, for checks of the target's timing: 0 on a virtual clock (timers fire exactly when
 * due), else what the target description allows for its jitter (TargetDescription.timingToleranceMs).
 */
export function timingTolerance(ctx: CaseContext): number {
  return ctx.description.capabilities.virtualTime ? 0 : Math.max(0, ctx.description.timingToleranceMs ?? 0);
}

/** Discards what is queued for `ep` (without letting time pass). */
export async function drain(ep: Endpoint): Promise<Received[]> {
  const out: Received[] = [];
  for (let r = await ep.receive(0); r !== undefined; r = await ep.receive(0)) out.push(r);
  return out;
}

/** The first cause code of a message's Operation Error. */
export function causeOf(m: Message): number | undefined {
  return 'operationError' in m && m.operationError !== undefined ? m.operationError.causes[0]?.code : undefined;
}

/** `0x0009`. */
export function hex(n: number | undefined, width = 4): string {
  return n === undefined ? 'none' : `0x${n.toString(16).padStart(width, '0')}`;
}

/** `0x0000002a,0x0000002b`: 32-bit IDs for verdict texts. */
export function hexIds(ids: readonly number[]): string {
  return ids.map((i) => hex(i, 8)).join(',');
}

/** Whether two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---------------------------------------------------------------------------------------------
// Builders

/** The user transport a PE endpoint advertises: its own addresses (REG-8), SCTP data only. */
export function userTransport(ep: Endpoint, over: Partial<{ port: number; transport: 'sctp' | 'tcp'; transportUse: 'dataOnly' | 'dataPlusControl' }> = {}): TransportParameter {
  return { transport: over.transport ?? 'sctp', port: over.port ?? 7000, transportUse: over.transportUse ?? 'dataOnly', addresses: ep.addresses };
}

/** A Pool Element as a PE registers it (OB-1: Home ID 0, no ASAP transport). */
export function element(ep: Endpoint, peId: number, over: Partial<PoolElement> = {}, policy: Policy = { name: 'roundRobin' }): PoolElement {
  return { peId, homeRegistrarId: 0, registrationLife: 30_000, userTransport: userTransport(ep), policy, ...over };
}

/** ASAP Registration. */
export function registration(pool: Uint8Array, pe: PoolElement): AsapRegistration {
  return { protocol: 'asap', type: 'registration', poolHandle: pool, poolElement: pe };
}

/** ASAP Handle Resolution. */
export function resolution(pool: Uint8Array, items?: number): AsapMessage {
  return { protocol: 'asap', type: 'handleResolution', poolHandle: pool, ...(items !== undefined ? { items } : {}) };
}

/** ASAP Endpoint Keep-Alive Ack for `peId` (a live PE's answer, OB-2). */
export function keepAliveAck(pool: Uint8Array, peId: number): AsapMessage {
  return { protocol: 'asap', type: 'endpointKeepAliveAck', poolHandle: pool, peId };
}

/** A PE as a peer PR announces it (OB-7: non-zero Home ID, ASAP transport present). */
export function foreignElement(peerId: number, peId: number, over: Partial<PoolElement> = {}, policy: Policy = { name: 'roundRobin' }): PoolElement {
  const address = { family: 'ipv4', address: `10.3.${(peId >>> 8) & 0xff}.${peId & 0xff}` } as const;
  return {
    peId,
    homeRegistrarId: peerId,
    registrationLife: 30_000,
    userTransport: { transport: 'sctp', port: 7000, transportUse: 'dataOnly', addresses: [address] },
    policy,
    asapTransport: { transport: 'sctp', port: 3863, transportUse: 'dataOnly', addresses: [address] },
    ...over,
  };
}

/** ENRP Handle Update (0 = ADD_PE, 1 = DEL_PE). */
export function handleUpdate(from: number, to: number, pool: Uint8Array, pe: PoolElement, action = 0): EnrpHandleUpdate {
  return { protocol: 'enrp', type: 'handleUpdate', flags: { T: false }, senderId: from, receiverId: to, updateAction: action, poolHandle: pool, poolElement: pe };
}

/** ENRP Presence with Server Information. */
export function presence(from: Endpoint & { serverId: number | undefined }, to: number, checksum: number, R = false): EnrpPresence {
  const id = from.serverId ?? 0;
  return {
    protocol: 'enrp',
    type: 'presence',
    flags: { R },
    senderId: id,
    receiverId: to,
    peChecksum: checksum,
    serverInformation: { serverId: id, transport: { transport: 'sctp', port: from.port, transportUse: 'dataOnly', addresses: from.addresses } },
  };
}

/** The §9 checksum of a set of PEs. */
export function checksumOf(pes: readonly { poolHandle: Uint8Array; peId: number }[]): number {
  return computeChecksum(pes);
}

// ---------------------------------------------------------------------------------------------
// Driver roles

/** A PE endpoint and what it registered. */
export interface PeDriver {
  readonly ep: Endpoint;
  readonly registered: { poolHandle: Uint8Array; peId: number }[];
  /** Answer Keep-Alives (OB-2). */
  autoAck: boolean;
  /** Keep-Alives seen so far. */
  readonly keepAlives: Of<'endpointKeepAlive'>[];
}

/** Opens a PE; by default it answers every Keep-Alive like a live PE (also H = 1 ones on new associations). */
export async function openPe(ctx: CaseContext, autoAck = true, name?: string): Promise<PeDriver> {
  const driver: { ep?: Endpoint; registered: { poolHandle: Uint8Array; peId: number }[]; autoAck: boolean; keepAlives: Of<'endpointKeepAlive'>[] } = {
    registered: [],
    autoAck,
    keepAlives: [],
  };
  driver.ep = await ctx.target.open('pe', {
    ...(name !== undefined ? { name } : {}),
    onMessage: (r, self) => {
      if (r.message.type !== 'endpointKeepAlive') return false;
      const ka = r.message;
      driver.keepAlives.push(ka);
      if (!driver.autoAck) return false;
      // OB-2: ack the named PE, or every PE of ours in that pool.
      const ids = ka.peId !== undefined ? [ka.peId] : driver.registered.filter((p) => sameBytes(p.poolHandle, ka.poolHandle)).map((p) => p.peId);
      for (const peId of ids) self.send(keepAliveAck(ka.poolHandle, peId), r.association);
      return false;
    },
  });
  return driver as PeDriver;
}

/** Registers `peId` in `pool` and insists on success (REG-1). */
export async function register(ctx: CaseContext, pe: PeDriver, pool: Uint8Array, peId: number, over: Partial<PoolElement> = {}, policy?: Policy): Promise<void> {
  pe.ep.send(registration(pool, element(pe.ep, peId, over, policy)));
  const resp = await expectType(pe.ep, 'registrationResponse', 5000, 'REG-1', (m) => m.peId === peId && sameBytes(m.poolHandle, pool));
  check(!resp.flags.R, 'REG-1', 'a successful Registration Response (R = 0)', () => describeMessage(resp));
  if (!pe.registered.some((p) => p.peId === peId && sameBytes(p.poolHandle, pool))) pe.registered.push({ poolHandle: pool, peId });
}

/** Sends a registration and returns the response (whatever it says). */
export async function registerRaw(pe: PeDriver | Endpoint, pool: Uint8Array, e: PoolElement, requirement: string): Promise<Of<'registrationResponse'>> {
  const ep = 'ep' in pe ? pe.ep : pe;
  ep.send(registration(pool, e));
  return expectType(ep, 'registrationResponse', 5000, requirement, (m) => m.peId === e.peId);
}

/** Opens a PU endpoint. */
export function openPu(ctx: CaseContext, name?: string): Promise<Endpoint> {
  return ctx.target.open('pu', name !== undefined ? { name } : {});
}

/** Resolves `pool` and returns the response. */
export async function resolve(pu: Endpoint, pool: Uint8Array, items?: number, requirement = 'HR-1'): Promise<Of<'handleResolutionResponse'> & AsapHandleResolutionResponse> {
  pu.send(resolution(pool, items));
  return expectType(pu, 'handleResolutionResponse', 5000, requirement, (m) => sameBytes(m.poolHandle, pool));
}

/** PE IDs of a resolution, in order. */
export function idsOf(m: AsapHandleResolutionResponse): number[] {
  return m.poolElements.map((e) => e.peId);
}

/** Whether `pool` resolves to a list containing `peId`. */
export async function resolvable(ctx: CaseContext, pu: Endpoint, pool: Uint8Array, peId: number): Promise<boolean> {
  const r = await resolve(pu, pool, 0xffffffff);
  return r.poolElements.some((e) => e.peId === peId);
}

/** A fake peer PR. */
export interface PeerDriver {
  readonly ep: Endpoint;
  readonly serverId: number;
  /** PEs this peer claims to own (for its checksum and Handle Table answers). */
  readonly owned: { poolHandle: Uint8Array; pe: PoolElement }[];
  /** Answer Presence R = 1, Handle Table and List Requests (OB-7). */
  autoAnswer: boolean;
  /** Acknowledge Init Takeovers about other PRs (with autoAnswer). */
  ackTakeovers: boolean;
}

/** The target's server ID: from its description, else learned from a Presence exchange. */
export async function targetServerId(ctx: CaseContext, peer?: PeerDriver): Promise<number> {
  if (ctx.config.serverId !== undefined) return ctx.config.serverId;
  const p = peer ?? (await openPeer(ctx, { autoAnswer: false }));
  p.ep.send(presence(p.ep, 0, peerChecksum(p), true));
  const m = await expectType(p.ep, 'presence', 5000, 'PP-3');
  return m.senderId;
}

/** Opens a peer PR that announces itself with a Presence over SCTP (PP-2). */
export async function openPeer(ctx: CaseContext, options: { serverId?: number; autoAnswer?: boolean; announce?: boolean; passive?: boolean; name?: string } = {}): Promise<PeerDriver> {
  const serverId = options.serverId ?? ctx.id();
  const state: { ep?: Endpoint; serverId: number; owned: { poolHandle: Uint8Array; pe: PoolElement }[]; autoAnswer: boolean; ackTakeovers: boolean } = {
    serverId,
    owned: [],
    autoAnswer: options.autoAnswer ?? true,
    ackTakeovers: true,
  };
  const checksum = () => peerChecksum(state);
  state.ep = await ctx.target.open('peer', {
    serverId,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.passive === true ? { passive: true } : {}),
    onMessage: (r, self) => {
      if (!state.autoAnswer || r.message.protocol !== 'enrp') return false;
      const m: EnrpMessage = r.message;
      const to = m.senderId;
      if (m.type === 'presence' && m.flags.R) self.send(presence(self, to, checksum()), r.association);
      if (m.type === 'handleTableRequest') {
        const pools = state.owned.map((o) => ({ poolHandle: o.poolHandle, poolElements: [o.pe] }));
        self.send({ protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: false }, senderId: serverId, receiverId: to, pools }, r.association);
      }
      if (m.type === 'listRequest') self.send({ protocol: 'enrp', type: 'listResponse', flags: { R: false }, senderId: serverId, receiverId: to, servers: [] }, r.association);
      if (m.type === 'initTakeover' && m.targetId !== serverId && state.ackTakeovers) {
        self.send({ protocol: 'enrp', type: 'initTakeoverAck', senderId: serverId, receiverId: to, targetId: m.targetId }, r.association);
      }
      return false;
    },
  });
  const driver = state as PeerDriver;
  if (options.announce !== false && options.passive !== true) {
    driver.ep.send(presence(driver.ep, ctx.config.serverId ?? 0, checksum()));
    await ctx.target.sleep(1);
  }
  return driver;
}

/** The peer's current checksum over what it claims to own. */
export function peerChecksum(peer: Pick<PeerDriver, 'owned'>): number {
  return checksumOf(peer.owned.map((o) => ({ poolHandle: o.poolHandle, peId: o.pe.peId })));
}

/** Announces a PE owned by `peer` with ADD_PE and records it as owned. */
export async function injectForeign(ctx: CaseContext, peer: PeerDriver, pool: Uint8Array, peId: number, over: Partial<PoolElement> = {}, policy?: Policy): Promise<PoolElement> {
  const pe = foreignElement(peer.serverId, peId, over, policy);
  peer.ep.send(handleUpdate(peer.serverId, ctx.config.serverId ?? 0, pool, pe));
  peer.owned.push({ poolHandle: pool, pe });
  await ctx.target.sleep(1);
  return pe;
}

/** Waits for a Handle Update about `peId` with `action` on the peer's endpoint. */
export function expectUpdate(peer: PeerDriver, peId: number, action: number, withinMs: number, requirement: string): Promise<Of<'handleUpdate'> & { readonly received: Received }> {
  return expectType(peer.ep, 'handleUpdate', withinMs, requirement, (m) => m.poolElement.peId === peId && m.updateAction === action, `Handle Update ${action === 0 ? 'ADD_PE' : 'DEL_PE'} for PE ${hex(peId, 8)}`);
}
