/**
 * ASAP services: handle resolution and the policies (RFC 5352 §3.3, RFC 5356), Endpoint Keep-Alive
 * and the home role (§3.4), Endpoint Unreachable and MAX-BAD-PE-REPORT (§3.5), Server Announce (§3.6).
 */
import { CAUSE, type Policy } from '../codecs/index.js';
import type { CaseContext, ConformanceCase } from '../src/conformance/case.js';
import { describeMessage } from '../src/conformance/describe.js';
import type { Endpoint } from '../src/conformance/target.js';
import { caseOf, type CaseMeta } from './builders/cases.js';
import { peerWithForeign } from './builders/enrp.js';
import { checkHandedOut, expectKeepAlive, expectSilence, keepAliveTimeoutWait, keepAliveWait, registeredPe } from './builders/asap.js';
import {
  causeOf,
  check,
  drain,
  expectNone,
  expectType,
  expectUpdate,
  hex,
  hexIds,
  idsOf,
  injectForeign,
  keepAliveAck,
  openPe,
  openPeer,
  openPu,
  register,
  req,
  resolve,
  sameBytes,
  targetServerId,
  type PeDriver,
  type PeerDriver,
} from './support.js';

/** A pool of `policies.length` PEs on one PE endpoint; returns pool, PE IDs and the PE. */
async function poolOf(ctx: CaseContext, policies: readonly Policy[]): Promise<{ pool: Uint8Array; ids: number[]; pe: PeDriver }> {
  const pool = ctx.pool();
  const pe = await openPe(ctx);
  const ids: number[] = [];
  for (const p of policies) {
    const id = ctx.id();
    ids.push(id);
    await register(ctx, pe, pool, id, {}, p);
  }
  return { pool, ids, pe };
}

/** A Handle Resolution Response as {@link resolve} returns it. */
type Resolution = Awaited<ReturnType<typeof resolve>>;

/** `n` round-robin policies, for pools whose policy does not matter. */
const roundRobin = (n: number): Policy[] => Array.from({ length: n }, () => ({ name: 'roundRobin' }) as const);

/**
 * "A pool of PEs with `policies`, resolved once by a fresh PU with Items `items` (none: the
 * registrar's default); `verify` checks the answer against the PE IDs in registration order."
 */
function resolutionCase(
  meta: CaseMeta,
  policies: (ctx: CaseContext) => readonly Policy[],
  items: number | undefined,
  verify: (r: Resolution, ids: number[], ctx: CaseContext) => void,
): ConformanceCase {
  return caseOf(meta, async (ctx) => {
    const { pool, ids } = await poolOf(ctx, policies(ctx));
    verify(await resolve(await openPu(ctx), pool, items), ids, ctx);
  });
}

/** The check of the Items cases: the answer holds `n` PEs (HR-3). */
function holds(r: Resolution, n: number): void {
  check(r.poolElements.length === n, 'HR-3', `${n} PEs`, `${r.poolElements.length}`);
}

/** A policy case: resolve `rounds` times with Items 1 and check the sequence. */
function policyCase(id: string, rule: string, policies: readonly Policy[], rounds: number, verify: (picked: number[], ids: number[]) => string | undefined): ConformanceCase {
  return caseOf({ id, rule, requirements: [req('HR-4')], roles: ['pe', 'pu'], deadline: 10_000 }, async (ctx) => {
    const { pool, ids } = await poolOf(ctx, policies);
    const pu = await openPu(ctx);
    const picked: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await resolve(pu, pool, 1, 'HR-4');
      check(r.poolElements.length <= 1, 'HR-3', 'at most 1 PE (Items = 1)', `${r.poolElements.length}`);
      if (r.poolElements[0] !== undefined) picked.push(r.poolElements[0].peId);
    }
    const why = verify(picked, ids);
    check(why === undefined, 'HR-4', why ?? '', `picked ${hexIds(picked)} of ${hexIds(ids)}`);
  });
}

export const resolutionCases: readonly ConformanceCase[] = [
  resolutionCase(
    { id: 'asap/handle-resolution/answer', rule: 'A handle resolution of a known pool is answered with the pool handle and PEs of the pool.', requirements: [req('HR-1')], roles: ['pe', 'pu'], deadline: 5000 },
    () => roundRobin(1),
    undefined,
    (r, ids) => {
      check(causeOf(r) === undefined, 'HR-1', 'no Operation Error', () => describeMessage(r));
      check(idsOf(r).join() === ids.join(), 'HR-1', hexIds(ids), hexIds(idsOf(r)));
    },
  ),
  {
    id: 'asap/handle-resolution/unknown-pool',
    rule: 'A handle resolution of an unknown pool is answered with Unknown Pool Handle and no PEs.',
    requirements: [req('HR-2')],
    roles: ['pu'],
    deadline: 5000,
    async run(ctx) {
      const r = await resolve(await openPu(ctx), ctx.pool('unknown'), undefined, 'HR-2');
      check(causeOf(r) === CAUSE.unknownPoolHandle, 'HR-2', `cause ${hex(CAUSE.unknownPoolHandle)}`, () => describeMessage(r));
      check(r.poolElements.length === 0, 'HR-2', 'no PEs', `${r.poolElements.length}`);
    },
  },
  resolutionCase(
    { id: 'asap/handle-resolution/default-items', rule: 'Without an Items option the registrar hands out its configured number of PEs (MaxHResItems).', requirements: [req('HR-3')], roles: ['pe', 'pu'], deadline: 10_000 },
    (ctx) => roundRobin(ctx.config.maxHandleResolutionItems + 2),
    undefined,
    (r, _ids, ctx) => holds(r, ctx.config.maxHandleResolutionItems),
  ),
  resolutionCase(
    { id: 'asap/handle-resolution/items-option', rule: 'An Items option asks for that many PEs.', requirements: [req('HR-3')], roles: ['pe', 'pu'], deadline: 10_000 },
    () => roundRobin(5),
    2,
    (r) => holds(r, 2),
  ),
  resolutionCase(
    { id: 'asap/handle-resolution/items-all', rule: 'Items 0xFFFFFFFF asks for every PE of the pool.', requirements: [req('HR-3')], roles: ['pe', 'pu'], deadline: 10_000 },
    () => roundRobin(6),
    0xffffffff,
    (r) => holds(r, 6),
  ),
  resolutionCase(
    { id: 'asap/handle-resolution/items-exceed-pool', rule: 'Asking for more PEs than the pool holds returns each PE once.', requirements: [req('HR-3')], roles: ['pe', 'pu'], deadline: 5000 },
    () => roundRobin(2),
    10,
    (r, ids) => {
      const got = idsOf(r);
      check(got.length === 2 && new Set(got).size === 2 && ids.every((i) => got.includes(i)), 'HR-3', hexIds(ids), hexIds(got));
    },
  ),
  resolutionCase(
    { id: 'asap/handle-resolution/no-asap-transport', rule: 'PEs handed to a PU carry no ASAP transport (that is for registrars only).', requirements: [req('HR-1', 'rsplib-only')], roles: ['pe', 'pu'], deadline: 5000 },
    () => roundRobin(1),
    undefined,
    (r) => check(r.poolElements.every((e) => e.asapTransport === undefined), 'HR-1', 'no ASAP transport', () => describeMessage(r)),
  ),
  resolutionCase(
    { id: 'asap/handle-resolution/policy-parameter', rule: 'A successful resolution carries the pool policy parameter before the PEs (rsplib PUs need it).', requirements: [req('HR-1', 'rsplib-only')], roles: ['pe', 'pu'], deadline: 5000 },
    () => [{ name: 'leastUsed', load: 5 }],
    undefined,
    (r) => check(r.policy !== undefined && r.policy.name === 'leastUsed', 'HR-1', 'a Least Used policy parameter', JSON.stringify(r.policy)),
  ),
  {
    id: 'asap/handle-resolution/foreign-pe',
    rule: 'PEs learned from a peer\u2019s Handle Update are handed out like local ones.',
    requirements: [req('HR-1'), req('HU-2')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe } = await peerWithForeign(ctx);
      await checkHandedOut(ctx, { pool, peId: pe.peId }, true, 'HR-1', `PE ${hex(pe.peId, 8)} handed out`, 'not in the answer');
    },
  },
  policyCase('asap/handle-resolution/policy/round-robin', 'Round robin hands out each PE in turn.', [{ name: 'roundRobin' }, { name: 'roundRobin' }, { name: 'roundRobin' }], 6, (p, ids) =>
    new Set(p.slice(0, 3)).size === 3 && p.slice(3).join() === p.slice(0, 3).join() && ids.every((i) => p.includes(i)) ? undefined : 'each of the 3 PEs once per round, same order each round',
  ),
  policyCase('asap/handle-resolution/policy/weighted-round-robin', 'Weighted round robin hands out PEs in proportion to their weights.', [{ name: 'weightedRoundRobin', weight: 2 }, { name: 'weightedRoundRobin', weight: 1 }], 6, (p, ids) =>
    p.filter((x) => x === ids[0]).length === 4 && p.filter((x) => x === ids[1]).length === 2 ? undefined : '4 × the weight-2 PE and 2 × the weight-1 PE in 6 picks',
  ),
  policyCase('asap/handle-resolution/policy/priority', 'Priority always hands out the PE with the highest priority value.', [{ name: 'priority', priority: 1 }, { name: 'priority', priority: 9 }, { name: 'priority', priority: 5 }], 4, (p, ids) =>
    p.length === 4 && p.every((x) => x === ids[1]) ? undefined : 'the priority-9 PE every time',
  ),
  policyCase('asap/handle-resolution/policy/least-used', 'Least used hands out the PE with the lowest load.', [{ name: 'leastUsed', load: 0x80000000 }, { name: 'leastUsed', load: 0x10000000 }, { name: 'leastUsed', load: 0x40000000 }], 3, (p, ids) =>
    p.length === 3 && p.every((x) => x === ids[1]) ? undefined : 'the least loaded PE every time',
  ),
  policyCase('asap/handle-resolution/policy/random', 'Random hands out only pool members, and over many picks every member.', [{ name: 'random' }, { name: 'random' }, { name: 'random' }], 60, (p, ids) =>
    p.length === 60 && p.every((x) => ids.includes(x)) && ids.every((i) => p.includes(i)) ? undefined : 'every pick a member, every member picked in 60 tries',
  ),
  policyCase('asap/handle-resolution/policy/weighted-random-zero', 'Weighted random never hands out a PE of weight 0.', [{ name: 'weightedRandom', weight: 0 }, { name: 'weightedRandom', weight: 5 }], 30, (p, ids) =>
    p.length === 30 && p.every((x) => x === ids[1]) ? undefined : 'only the weight-5 PE',
  ),
  resolutionCase(
    { id: 'asap/handle-resolution/policy/weighted-random-all-zero', rule: 'A weighted random pool whose PEs all have weight 0 still gets a well-formed answer.', requirements: [req('HR-6')], roles: ['pe', 'pu'], deadline: 5000 },
    () => [
      { name: 'weightedRandom', weight: 0 },
      { name: 'weightedRandom', weight: 0 },
    ],
    undefined,
    (r, ids) => check(idsOf(r).every((i) => ids.includes(i)), 'HR-6', 'only members (or none)', hexIds(idsOf(r))),
  ),
];

export const keepAliveCases: readonly ConformanceCase[] = [
  {
    id: 'asap/keep-alive/sent',
    rule: 'The home sends each PE it owns an Endpoint Keep-Alive (H = 0, its server ID, the pool handle) within the transmission interval.',
    requirements: [req('KA-1'), req('REG-14')],
    roles: ['pe'],
    deadline: 15_000,
    async run(ctx) {
      const { pool, pe } = await registeredPe(ctx, { autoAck: false });
      const ka = await expectKeepAlive(ctx, pe);
      check(!ka.flags.H, 'KA-1', 'H = 0', 'H = 1');
      check(sameBytes(ka.poolHandle, pool), 'KA-1', 'the PE pool handle', () => describeMessage(ka));
      check(ka.serverId !== 0, 'KA-1', 'a non-zero server ID', '0');
    },
  },
  {
    id: 'asap/keep-alive/names-pe',
    rule: 'A Keep-Alive names the probed PE with a PE Identifier (rsplib addition).',
    requirements: [req('KA-1', 'rsplib-only')],
    roles: ['pe'],
    deadline: 15_000,
    async run(ctx) {
      const { pe, peId } = await registeredPe(ctx, { autoAck: false });
      const ka = await expectKeepAlive(ctx, pe);
      check(ka.peId === peId, 'KA-1', `PE ID ${hex(peId, 8)}`, hex(ka.peId, 8));
    },
  },
  {
    id: 'asap/keep-alive/server-id-is-home',
    rule: 'The Keep-Alive carries the home\u2019s own server ID, the one it uses in ENRP.',
    requirements: [req('KA-1'), req('REG-2')],
    roles: ['pe', 'peer'],
    deadline: 15_000,
    async run(ctx) {
      const me = await targetServerId(ctx, await openPeer(ctx));
      const { pe } = await registeredPe(ctx, { autoAck: false });
      const ka = await expectKeepAlive(ctx, pe);
      check(ka.serverId === me, 'KA-1', hex(me, 8), hex(ka.serverId, 8));
    },
  },
  {
    id: 'asap/keep-alive/ack-keeps-pe',
    rule: 'A PE that acknowledges every Keep-Alive stays registered across many intervals.',
    requirements: [req('KA-2')],
    roles: ['pe', 'pu'],
    deadline: 60_000,
    async run(ctx) {
      const { pool, pe, peId } = await registeredPe(ctx);
      await ctx.target.sleep(5 * (ctx.config.keepAliveTransmissionInterval + ctx.config.keepAliveTimeoutInterval));
      check(pe.keepAlives.length >= 3, 'KA-1', 'several Keep-Alives', `${pe.keepAlives.length}`);
      await checkHandedOut(ctx, { pool, peId }, true, 'KA-2', 'the PE still registered', 'gone');
    },
  },
  {
    id: 'asap/keep-alive/timeout-removes',
    rule: 'A PE that does not acknowledge a Keep-Alive in time is removed.',
    requirements: [req('KA-3')],
    roles: ['pe', 'pu'],
    deadline: 30_000,
    async run(ctx) {
      const { pool, pe, peId } = await registeredPe(ctx, { autoAck: false });
      await ctx.target.sleep(keepAliveTimeoutWait(ctx));
      check(pe.keepAlives.length >= 1, 'KA-1', 'a Keep-Alive', 'none');
      await checkHandedOut(ctx, { pool, peId }, false, 'KA-3', 'the PE removed', 'still registered');
    },
  },
  {
    id: 'asap/keep-alive/timeout-announced',
    rule: 'The home announces the removal of a silent PE to its peers with DEL_PE.',
    requirements: [req('KA-3'), req('HU-1')],
    roles: ['pe', 'peer'],
    deadline: 30_000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const { peId } = await registeredPe(ctx, { autoAck: false });
      await expectUpdate(peer, peId, 1, keepAliveTimeoutWait(ctx), 'KA-3');
    },
  },
  {
    id: 'asap/keep-alive/timeout-aborts',
    rule: 'The home aborts the association of a PE that stopped answering Keep-Alives (rsplib).',
    requirements: [req('KA-3', 'rsplib-only')],
    roles: ['pe'],
    deadline: 30_000,
    async run(ctx) {
      const { pe } = await registeredPe(ctx, { autoAck: false });
      await ctx.target.sleep(keepAliveTimeoutWait(ctx));
      check(pe.ep.closed, 'KA-3', 'the association aborted', 'still open');
    },
  },
  {
    id: 'asap/keep-alive/unsolicited-ack-restarts',
    rule: 'Any Keep-Alive Ack for a PE restarts its transmission interval (rsplib).',
    requirements: [req('KA-2', 'rsplib-only')],
    roles: ['pe'],
    deadline: 30_000,
    async run(ctx) {
      const { pool, pe, peId } = await registeredPe(ctx, { autoAck: false });
      const T = ctx.config.keepAliveTransmissionInterval;
      await ctx.target.sleep(T * 0.8);
      pe.ep.send(keepAliveAck(pool, peId));
      await expectNone(pe.ep, (m) => m.type === 'endpointKeepAlive', T * 0.5, 'KA-2', 'Keep-Alive before the restarted interval ends');
      await expectType(pe.ep, 'endpointKeepAlive', T, 'KA-1');
    },
  },
  {
    id: 'asap/keep-alive/ack-unknown-pe-ignored',
    rule: 'A Keep-Alive Ack for an unknown PE is ignored: no answer, and the registrar keeps serving.',
    requirements: [req('KA-2')],
    roles: ['pe', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const pe = await openPe(ctx, false);
      pe.ep.send(keepAliveAck(ctx.pool(), ctx.id()));
      await expectSilence(pe.ep, 1000, 'KA-2');
      await resolve(await openPu(ctx), ctx.pool(), undefined, 'KA-2');
    },
  },
];

/** Sends an Endpoint Unreachable report about `peId` from `pu`. */
function reportOnce(pu: Endpoint, pool: Uint8Array, peId: number): void {
  pu.send({ protocol: 'asap', type: 'endpointUnreachable', poolHandle: pool, peId });
}

/**
 * With a peer listening, registers a PE (`own`; else a peer announces one) and sends `n` Endpoint
 * Unreachable reports about it from `reporters` PUs in turn.
 */
async function reportUnreachable(ctx: CaseContext, n: number, reporters = 1, own = true): Promise<{ peer: PeerDriver; pool: Uint8Array; peId: number; pus: Endpoint[]; pe: PeDriver | undefined }> {
  const peer = await openPeer(ctx);
  const pool = ctx.pool();
  const { pe, peId } = own ? await registeredPe(ctx, { pool }) : { pe: undefined, peId: (await injectForeign(ctx, peer, pool, ctx.id())).peId };
  const pus: Endpoint[] = [];
  for (let i = 0; i < reporters; i++) pus.push(await openPu(ctx, `pu${i + 1}`));
  await drain(peer.ep);
  for (let i = 0; i < n; i++) reportOnce(pus[i % reporters], pool, peId);
  await ctx.target.sleep(10);
  return { peer, pool, peId, pus, pe };
}

/** What {@link reportUnreachable} set up and reported. */
type Reported = Awaited<ReturnType<typeof reportUnreachable>>;

/** How many reports a case sends, from how many PUs, about whose PE. */
interface Reports {
  readonly reports: (ctx: CaseContext) => number;
  readonly reporters?: number;
  /** The registrar's own PE (default) or one a peer announced. */
  readonly own?: boolean;
}

/** "After so many Endpoint Unreachable reports, …": `judge` checks what followed (EU-2). */
function reportCase(meta: CaseMeta, r: Reports, judge: (ctx: CaseContext, reported: Reported) => Promise<void>): ConformanceCase {
  return caseOf(meta, async (ctx) => judge(ctx, await reportUnreachable(ctx, r.reports(ctx), r.reporters, r.own)));
}

/** The judge of the threshold cases: whether the first reporter still gets the PE handed out. */
function handedOut(want: boolean, expected: (ctx: CaseContext) => string, actual: string): (ctx: CaseContext, reported: Reported) => Promise<void> {
  return (ctx, { pool, peId, pus }) => checkHandedOut(ctx, { pool, peId, pu: pus[0] }, want, 'EU-2', expected(ctx), actual);
}

const threshold = (ctx: CaseContext) => ctx.config.maxBadPeReports;
const belowThreshold = (ctx: CaseContext) => ctx.config.maxBadPeReports - 1;

export const unreachableCases: readonly ConformanceCase[] = [
  reportCase(
    { id: 'asap/unreachable/threshold-removes', rule: 'MAX-BAD-PE-REPORT Endpoint Unreachable reports about a PE make the registrar remove it.', requirements: [req('EU-2')], roles: ['pe', 'pu', 'peer'], deadline: 5000 },
    { reports: threshold },
    handedOut(false, (ctx) => `the PE removed after ${ctx.config.maxBadPeReports} reports`, 'still handed out'),
  ),
  reportCase(
    { id: 'asap/unreachable/below-threshold-keeps', rule: 'Fewer reports than MAX-BAD-PE-REPORT leave the PE in the pool.', requirements: [req('EU-2')], roles: ['pe', 'pu', 'peer'], deadline: 5000 },
    { reports: belowThreshold },
    handedOut(true, (ctx) => `the PE kept after ${ctx.config.maxBadPeReports - 1} reports`, 'removed'),
  ),
  reportCase(
    { id: 'asap/unreachable/threshold-announced', rule: 'When the home removes its own PE at the threshold it announces DEL_PE to its peers.', requirements: [req('EU-2'), req('HU-1')], roles: ['pe', 'pu', 'peer'], deadline: 5000 },
    { reports: threshold },
    async (_ctx, { peer, peId }) => {
      await expectUpdate(peer, peId, 1, 1000, 'EU-2');
    },
  ),
  reportCase(
    { id: 'asap/unreachable/no-answer', rule: 'Endpoint Unreachable is never answered.', requirements: [req('EU-2', 'rsplib-only')], roles: ['pe', 'pu', 'peer'], deadline: 5000 },
    { reports: () => 1 },
    (_ctx, { pus }) => expectSilence(pus[0], 1000, 'EU-2', 'answer to the reporter'),
  ),
  reportCase(
    { id: 'asap/unreachable/counts-across-pus', rule: 'Reports from different PUs add up towards the threshold (rsplib counts per PE).', requirements: [req('EU-2', 'rsplib-only')], roles: ['pe', 'pu', 'pu', 'pu', 'peer'], deadline: 5000 },
    { reports: threshold, reporters: 3 },
    handedOut(false, () => 'the PE removed', 'still handed out'),
  ),
  {
    id: 'asap/unreachable/unknown-pe-ignored',
    rule: 'A report about an unknown PE is ignored: no answer, no Handle Update.',
    requirements: [req('EU-2')],
    roles: ['pu', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      await drain(peer.ep);
      const pu = await openPu(ctx);
      for (let i = 0; i < ctx.config.maxBadPeReports; i++) reportOnce(pu, ctx.pool(), ctx.id());
      await expectSilence(pu, 500, 'EU-2');
      await expectNone(peer.ep, (m) => m.type === 'handleUpdate', 500, 'EU-2', 'Handle Update');
    },
  },
  reportCase(
    { id: 'asap/unreachable/foreign-pe-local-only', rule: 'At the threshold a PE owned by another registrar is dropped locally, without any DEL_PE (rsplib).', requirements: [req('EU-2', 'rsplib-only')], roles: ['pu', 'peer'], deadline: 5000 },
    { reports: threshold, reporters: 1, own: false },
    async (ctx, reported) => {
      await handedOut(false, () => 'the foreign PE dropped', 'still handed out')(ctx, reported);
      await expectNone(reported.peer.ep, (m) => m.type === 'handleUpdate', 500, 'EU-2', 'DEL_PE for a foreign PE');
    },
  ),
  reportCase(
    { id: 'asap/unreachable/not-reset-by-keep-alive', rule: 'A Keep-Alive Ack does not reset the report count (rsplib: never reset while the PE lives).', requirements: [req('EU-2', 'rsplib-only')], roles: ['pe', 'pu', 'peer'], deadline: 30_000 },
    { reports: belowThreshold },
    async (ctx, { pool, peId, pus, pe }) => {
      await ctx.target.sleep(keepAliveWait(ctx));
      check((pe?.keepAlives.length ?? 0) >= 1, 'KA-1', 'a Keep-Alive answered meanwhile', 'none');
      reportOnce(pus[0], pool, peId);
      await ctx.target.sleep(10);
      await checkHandedOut(ctx, { pool, peId, pu: pus[0] }, false, 'EU-2', 'the PE removed by the last report', 'still handed out');
    },
  ),
];
/**
 * The next `count` multicast Server Announces (arrival time and server ID), each awaited for at
 * most 1.2 announce cycles; fewer if one does not come.
 */
async function serverAnnounces(ctx: CaseContext, count: number): Promise<{ at: number; serverId: number }[]> {
  const out: { at: number; serverId: number }[] = [];
  while (out.length < count) {
    const r = await ctx.target.receiveMulticast(ctx.config.serverAnnounceCycle * 1.2);
    if (r === undefined) break;
    if (r.message.type === 'serverAnnounce') out.push({ at: r.at, serverId: r.message.serverId });
  }
  return out;
}

export const announceCases: readonly ConformanceCase[] = [
  {
    id: 'asap/server-announce/periodic',
    rule: 'The registrar multicasts Server Announces about every T6 (rsplib: within 0.875–1.125 × the cycle).',
    requirements: [req('SA-1')],
    roles: [],
    needs: ['multicastListen'],
    deadline: 10_000,
    async run(ctx) {
      const cycle = ctx.config.serverAnnounceCycle;
      const at = (await serverAnnounces(ctx, 4)).map((a) => a.at);
      check(at.length === 4, 'SA-1', '4 Server Announces in a row', `${at.length}`);
      for (let i = 1; i < at.length; i++) {
        const gap = at[i] - at[i - 1];
        check(gap >= cycle * 0.875 - 1 && gap <= cycle * 1.125 + 1, 'SA-1', `gaps of ${cycle} ms ± 12.5 %`, `${gap} ms`);
      }
    },
  },
  {
    id: 'asap/server-announce/server-id',
    rule: 'Server Announces carry the registrar\u2019s non-zero server ID, the same every time and the one it uses in ENRP.',
    requirements: [req('SA-1'), req('ST-1')],
    roles: ['peer'],
    needs: ['multicastListen'],
    deadline: 10_000,
    async run(ctx) {
      const me = await targetServerId(ctx, await openPeer(ctx));
      const ids = (await serverAnnounces(ctx, 2)).map((a) => a.serverId);
      check(ids.length === 2 && ids.every((i) => i === me && i !== 0), 'SA-1', `server ID ${hex(me, 8)} twice`, hexIds(ids));
    },
  },
];
