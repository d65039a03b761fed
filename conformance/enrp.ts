/**
 * ENRP cases: Presence and the peer table (RFC 5353 §3.4), List (§3.2.2), Handle Update
 * propagation (§3.3), checksum audit and Handle Table paging (§3.6), takeover (§3.5).
 */
import type { CaseContext, ConformanceCase } from '../src/conformance/case.js';
import { describeMessage } from '../src/conformance/describe.js';
import { caseOf, type CaseMeta } from './builders/cases.js';
import { checkHandedOut, registeredPe } from './builders/asap.js';
import { initTakeover, listRequest, peerWithForeign, probe, quietPeer, requestTable, sendUpdate, tableEntries, tablePage } from './builders/enrp.js';
import {
  check,
  checksumOf,
  drain,
  expectNone,
  expectType,
  expectUpdate,
  foreignElement,
  handleUpdate,
  hex,
  hexIds,
  injectForeign,
  openPe,
  openPeer,
  openPu,
  peerChecksum,
  presence,
  register,
  req,
  resolution,
  resolvable,
  sameBytes,
  targetServerId,
  timingTolerance,
  type Of,
  type PeDriver,
  type PeerDriver,
} from './support.js';

const ms = (n: number) => Math.ceil(n);

/**
 * "A new, non-answering peer announces itself; the registrar's first Presence back to it …":
 * `judge` checks that Presence (awaited under `requirement`).
 */
function firstPresence(meta: CaseMeta, requirement: string, judge: (p: Of<'presence'>) => void): ConformanceCase {
  return caseOf(meta, async (ctx) => {
    const peer = await openPeer(ctx, { autoAnswer: false });
    judge(await expectType(peer.ep, 'presence', 2000, requirement));
  });
}

export const presenceCases: readonly ConformanceCase[] = [
  {
    id: 'enrp/presence/answer-probe',
    rule: 'A Presence with R = 1 is answered with a Presence to the sender on the same association.',
    requirements: [req('PP-3'), req('T-6')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await quietPeer(ctx);
      const p = await probe(peer, 'PP-3');
      check(p.received.association === peer.ep.association, 'T-6', 'the answer on the same association', `association ${p.received.association}`);
      check(p.receiverId === peer.serverId, 'PP-3', `Receiving ID ${hex(peer.serverId, 8)}`, hex(p.receiverId, 8));
    },
  },
  firstPresence(
    { id: 'enrp/presence/new-peer-probed', rule: 'A Presence from an unknown registrar makes it a peer, probed with a Presence R = 1.', requirements: [req('PP-2')], roles: ['peer'], deadline: 5000 },
    'PP-2',
    (p) => check(p.flags.R, 'PP-2', 'R = 1', 'R = 0'),
  ),
  firstPresence(
    { id: 'enrp/presence/server-information', rule: 'A Presence names its sender in the header and in a Server Information parameter with the same non-zero ID.', requirements: [req('PP-5'), req('ST-1')], roles: ['peer'], deadline: 5000 },
    'PP-2',
    (p) => check(p.senderId !== 0 && p.serverInformation?.serverId === p.senderId, 'PP-5', 'Server Information ID = Sending ID ≠ 0', () => describeMessage(p)),
  ),
  {
    id: 'enrp/presence/heartbeat',
    rule: 'Every PEER-HEARTBEAT-CYCLE the registrar sends each peer a Presence.',
    requirements: [req('PP-1')],
    roles: ['peer'],
    deadline: 120_000,
    async run(ctx) {
      const peer = await openPeer(ctx, { autoAnswer: true });
      await drain(peer.ep);
      const cycle = ctx.config.peerHeartbeatCycle;
      const first = await expectType(peer.ep, 'presence', ms(cycle * 1.2), 'PP-1', (m) => !m.flags.R);
      const second = await expectType(peer.ep, 'presence', ms(cycle * 1.2), 'PP-1', (m) => !m.flags.R);
      const gap = second.received.at - first.received.at;
      // PP-1: one Presence per cycle, rsplib's 12.5 % jitter allowed; +1 ms for the rounding of the
      // two arrival stamps, plus the real-time target's own timing tolerance (0 on a virtual clock).
      const slack = timingTolerance(ctx);
      check(gap <= cycle * 1.125 + 1 + slack, 'PP-1', `Presences at most ${cycle} ms (+12.5 %${slack > 0 ? `, +${slack} ms tolerance` : ''}) apart`, `${gap} ms`);
    },
  },
  firstPresence(
    { id: 'enrp/presence/checksum-empty', rule: 'A registrar owning no PE sends checksum 0xFFFF.', requirements: [req('CK-1')], roles: ['peer'], deadline: 5000 },
    'CK-1',
    (p) => check(p.peChecksum === 0xffff, 'CK-1', '0xffff', hex(p.peChecksum)),
  ),
  {
    id: 'enrp/presence/checksum-own-pes',
    rule: 'The Presence checksum covers exactly the PEs the sender is home of (foreign ones excluded).',
    requirements: [req('CK-1')],
    roles: ['pe', 'peer', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const { pool } = await peerWithForeign(ctx);
      const pe = await openPe(ctx);
      const own = [ctx.id(), ctx.id()];
      for (const id of own) await register(ctx, pe, pool, id);
      const p = await probe(await quietPeer(ctx), 'CK-1');
      const want = checksumOf(own.map((peId) => ({ poolHandle: pool, peId })));
      check(p.peChecksum === want, 'CK-1', hex(want), hex(p.peChecksum));
    },
  },
  {
    id: 'enrp/presence/silent-peer-probed',
    rule: 'A peer silent for MAX-TIME-LAST-HEARD is probed with a Presence R = 1.',
    requirements: [req('PP-4')],
    roles: ['peer'],
    deadline: 120_000,
    async run(ctx) {
      const peer = await quietPeer(ctx);
      await expectType(peer.ep, 'presence', ms((ctx.config.peerMaxTimeLastHeard + ctx.config.peerHeartbeatCycle) * 1.2), 'PP-4', (m) => m.flags.R, 'Presence R = 1');
    },
  },
  {
    id: 'enrp/presence/list-request-after-first',
    rule: 'After a new peer\u2019s first Presence over SCTP the registrar asks it for its peer list (rsplib).',
    requirements: [req('PP-6')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx, { autoAnswer: false });
      await expectType(peer.ep, 'listRequest', 2000, 'PP-6');
    },
  },
  {
    id: 'enrp/presence/multicast-learns-peer',
    rule: 'A multicast Presence from an unknown registrar makes it a peer (probed over SCTP).',
    requirements: [req('PP-2')],
    roles: ['peer'],
    needs: ['multicastSend', 'acceptsIncoming'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx, { passive: true, autoAnswer: false });
      await ctx.target.multicast(presence(peer.ep, 0, 0xffff), peer.ep);
      await expectType(peer.ep, 'presence', 2000, 'PP-2', (m) => m.flags.R);
    },
  },
];

export const listCases: readonly ConformanceCase[] = [
  {
    id: 'enrp/list/answer',
    rule: 'A List Request is answered with a List Response (R = 0) addressed to the requester.',
    requirements: [req('LS-1')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx, { autoAnswer: false });
      peer.ep.send(listRequest(peer));
      const r = await expectType(peer.ep, 'listResponse', 2000, 'LS-1');
      check(!r.flags.R && r.receiverId === peer.serverId, 'LS-1', 'R = 0 to the requester', () => describeMessage(r));
    },
  },
  {
    id: 'enrp/list/contains-peers',
    rule: 'The List Response lists the registrar\u2019s other peers and not the registrar itself.',
    requirements: [req('LS-1')],
    roles: ['peer', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const a = await openPeer(ctx);
      const b = await openPeer(ctx, { autoAnswer: false });
      const me = await targetServerId(ctx, b);
      b.ep.send(listRequest(b, me));
      const r = await expectType(b.ep, 'listResponse', 2000, 'LS-1');
      const ids = r.servers.map((s) => s.serverId);
      check(ids.includes(a.serverId) && !ids.includes(me), 'LS-1', `${hex(a.serverId, 8)} listed, ${hex(me, 8)} not`, hexIds(ids));
    },
  },
  {
    id: 'enrp/list/learns-listed-peers',
    rule: 'Registrars named in a List Response become peers and are contacted with a Presence (rsplib).',
    requirements: [req('LS-1')],
    roles: ['peer', 'peer'],
    needs: ['acceptsIncoming'],
    deadline: 5000,
    async run(ctx) {
      const a = await openPeer(ctx, { autoAnswer: false });
      const listed = await openPeer(ctx, { passive: true, autoAnswer: false });
      a.ep.send({
        protocol: 'enrp',
        type: 'listResponse',
        flags: { R: false },
        senderId: a.serverId,
        receiverId: 0,
        servers: [{ serverId: listed.serverId, transport: { transport: 'sctp', port: listed.ep.port, transportUse: 'dataOnly', addresses: listed.ep.addresses } }],
      });
      await expectType(listed.ep, 'presence', 2000, 'LS-1');
    },
  },
];

export const updateCases: readonly ConformanceCase[] = [
  {
    id: 'enrp/handle-update/add-applied',
    rule: 'An ADD_PE from a peer adds the PE to the registrar\u2019s handlespace.',
    requirements: [req('HU-2')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { pool, pe } = await peerWithForeign(ctx);
      await checkHandedOut(ctx, { pool, peId: pe.peId }, true, 'HU-2', 'the PE handed out', 'absent');
    },
  },
  {
    id: 'enrp/handle-update/del-applied',
    rule: 'A DEL_PE from a peer removes the PE.',
    requirements: [req('HU-2')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { peer, pool, pe: keep } = await peerWithForeign(ctx);
      const pe = await injectForeign(ctx, peer, pool, ctx.id());
      await sendUpdate(ctx, peer, pool, pe, 1);
      const pu = await openPu(ctx);
      await checkHandedOut(ctx, { pool, peId: pe.peId, pu }, false, 'HU-2', 'the PE removed', 'still handed out');
      await checkHandedOut(ctx, { pool, peId: keep.peId, pu }, true, 'HU-2', 'the other PE kept', 'removed too');
    },
  },
  {
    id: 'enrp/handle-update/add-updates-existing',
    rule: 'A second ADD_PE for a known PE updates it in place.',
    requirements: [req('HU-2')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { peer, pool, pe } = await peerWithForeign(ctx);
      const updated = foreignElement(peer.serverId, pe.peId, { userTransport: { transport: 'sctp', port: 7123, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.3.0.9' }] } });
      await sendUpdate(ctx, peer, pool, updated);
      const pu = await openPu(ctx);
      pu.send(resolution(pool, 0xffffffff));
      const r = await expectType(pu, 'handleResolutionResponse', 2000, 'HU-2');
      check(r.poolElements.length === 1 && r.poolElements[0]?.userTransport.port === 7123, 'HU-2', 'one PE with port 7123', () => describeMessage(r));
    },
  },
  {
    id: 'enrp/handle-update/foreign-expiry',
    rule: 'A foreign PE not refreshed within its Registration Life disappears.',
    requirements: [req('REG-12')],
    roles: ['peer', 'pu'],
    deadline: 30_000,
    async run(ctx) {
      const life = 3000;
      const { peer, pool, pe } = await peerWithForeign(ctx, { registrationLife: life });
      // The peer (the PE's home, still claiming it) must stay heard until the PE's life is over:
      // a probe after MAX-TIME-LAST-HEARD (PP-4) that meets the expiry makes the registrar re-sync
      // (CK-2), and the peer's Handle Table then legitimately re-announces the PE with a fresh life.
      // Real-time targets with short peer timers (3 s) hit that; a Presence every half
      // MAX-TIME-LAST-HEARD (same checksum, so no re-sync) keeps the probe away. Presence does not
      // refresh a Registration Life.
      const step = Math.max(100, Math.floor(ctx.config.peerMaxTimeLastHeard / 2));
      let waited = 0;
      for (; waited + step < life; waited += step) {
        await ctx.target.sleep(step);
        peer.ep.send(presence(peer.ep, 0, peerChecksum(peer)));
      }
      await ctx.target.sleep(life + 500 - waited);
      await checkHandedOut(ctx, { pool, peId: pe.peId }, false, 'REG-12', 'the PE expired after 3 s', 'still handed out');
    },
  },
  {
    id: 'enrp/handle-update/foreign-refresh',
    rule: 'A new ADD_PE restarts the foreign PE\u2019s Registration Life.',
    requirements: [req('REG-12'), req('HU-2')],
    roles: ['peer', 'pu'],
    deadline: 30_000,
    async run(ctx) {
      const { peer, pool, pe } = await peerWithForeign(ctx, { registrationLife: 3000 });
      await ctx.target.sleep(2000);
      peer.ep.send(handleUpdate(peer.serverId, 0, pool, pe));
      await ctx.target.sleep(2000);
      await checkHandedOut(ctx, { pool, peId: pe.peId }, true, 'REG-12', 'the refreshed PE still there at 4 s', 'expired');
    },
  },
  {
    id: 'enrp/handle-update/to-every-peer',
    rule: 'The home sends its ADD_PE to every peer.',
    requirements: [req('HU-1')],
    roles: ['pe', 'peer', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const a = await openPeer(ctx);
      const b = await openPeer(ctx);
      const { peId } = await registeredPe(ctx);
      await expectUpdate(a, peId, 0, 2000, 'HU-1');
      await expectUpdate(b, peId, 0, 2000, 'HU-1');
    },
  },
  {
    id: 'enrp/handle-update/own-home-ignored',
    rule: 'An ADD_PE claiming the receiver itself as home is not taken from a peer (rsplib).',
    requirements: [req('HU-2', 'rsplib-only')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx, { autoAnswer: false });
      const me = await targetServerId(ctx, peer);
      const pool = ctx.pool();
      const pe = foreignElement(me, ctx.id());
      peer.ep.send(handleUpdate(peer.serverId, me, pool, pe));
      await ctx.target.sleep(1);
      await checkHandedOut(ctx, { pool, peId: pe.peId }, false, 'HU-2', 'the PE not added', 'added');
    },
  },
  {
    id: 'enrp/handle-update/unknown-action-ignored',
    rule: 'A Handle Update with an unknown action changes nothing.',
    requirements: [req('HU-2')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { peer, pool, pe } = await peerWithForeign(ctx);
      peer.ep.send(handleUpdate(peer.serverId, 0, pool, pe, 7));
      const other = foreignElement(peer.serverId, ctx.id());
      await sendUpdate(ctx, peer, pool, other, 7);
      const pu = await openPu(ctx);
      await checkHandedOut(ctx, { pool, peId: pe.peId, pu }, true, 'HU-2', 'the known PE kept', 'removed');
      await checkHandedOut(ctx, { pool, peId: other.peId, pu }, false, 'HU-2', 'no PE added', 'added');
    },
  },
];

/**
 * "A handlespace with one PE of another peer and one of the registrar's own: a Handle Table
 * Request with `W` from a new peer is answered with …": `verify` gets the answer's PE IDs and
 * the own and foreign PE IDs.
 */
function tableContents(meta: CaseMeta, W: boolean, verify: (r: Of<'handleTableResponse'>, ids: number[], own: number, foreign: number) => void): ConformanceCase {
  return caseOf(meta, async (ctx) => {
    const { pool, pe: foreign } = await peerWithForeign(ctx);
    const { peId: own } = await registeredPe(ctx, { pool });
    const peer = await openPeer(ctx, { autoAnswer: false });
    const r = await requestTable(peer, W, 0, 'HT-1');
    verify(r, tableEntries(r).map((e) => e.peId), own, foreign.peId);
  });
}

export const tableCases: readonly ConformanceCase[] = [
  tableContents(
    { id: 'enrp/handle-table/own-entries-w1', rule: 'A Handle Table Request with W = 1 is answered with only the responder\u2019s own PEs.', requirements: [req('HT-1')], roles: ['pe', 'peer', 'peer'], deadline: 5000 },
    true,
    (r, ids, own, foreign) => check(!r.flags.R && ids.includes(own) && !ids.includes(foreign), 'HT-1', `own ${hex(own, 8)} only`, hexIds(ids)),
  ),
  tableContents(
    { id: 'enrp/handle-table/all-entries-w0', rule: 'A Handle Table Request with W = 0 is answered with the whole handlespace.', requirements: [req('HT-1')], roles: ['pe', 'peer', 'peer'], deadline: 5000 },
    false,
    (_r, ids, own, foreign) => check(ids.includes(own) && ids.includes(foreign), 'HT-1', 'own and foreign PEs', hexIds(ids)),
  ),
  {
    id: 'enrp/handle-table/entries-complete',
    rule: 'Handle Table entries carry the ASAP transport and the home ID of each PE.',
    requirements: [req('HT-1')],
    roles: ['pe', 'peer'],
    deadline: 5000,
    async run(ctx) {
      await registeredPe(ctx);
      const peer = await openPeer(ctx, { autoAnswer: false });
      const me = await targetServerId(ctx, peer);
      const r = await requestTable(peer, true, me, 'HT-1');
      const all = tableEntries(r);
      check(all.length > 0 && all.every((e) => e.asapTransport !== undefined && e.homeRegistrarId === me), 'HT-1', 'ASAP transport and home ID on every entry', () => describeMessage(r));
    },
  },
  {
    id: 'enrp/handle-table/unknown-requester-refused',
    rule: 'A Handle Table Request from a registrar not in the peer table is refused with R = 1 (rsplib).',
    requirements: [req('HT-1', 'rsplib-only')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx, { announce: false, autoAnswer: false });
      const r = await requestTable(peer, false, 0, 'HT-1');
      check(r.flags.R, 'HT-1', 'R = 1', 'R = 0');
    },
  },
  {
    id: 'enrp/handle-table/paging-m-flag',
    rule: 'A table larger than one page comes in pages with M = 1 until the last, with M = 0; together they hold every PE once.',
    requirements: [req('HT-2')],
    roles: ['pe', 'peer'],
    deadline: 60_000,
    async run(ctx) {
      const max = ctx.config.maxElementsPerHandleTableResponse;
      const total = max + 3;
      const pe = await openPe(ctx);
      const ids = new Set<number>();
      for (let i = 0; i < total; i++) {
        const id = ctx.id();
        ids.add(id);
        await register(ctx, pe, ctx.pool(`p${i % 7}`), id);
      }
      const peer = await openPeer(ctx, { autoAnswer: false });
      const seen: number[] = [];
      for (let page = 0; page < total + 2; page++) {
        const r = await requestTable(peer, true, 0, 'HT-2');
        const entries = tableEntries(r);
        check(entries.length <= max, 'HT-2', `at most ${max} PEs per page`, `${entries.length}`);
        seen.push(...entries.map((e) => e.peId));
        if (page === 0) check(r.flags.M, 'HT-2', 'M = 1 on the first of several pages', 'M = 0');
        if (!r.flags.M) break;
      }
      const mine = seen.filter((i) => ids.has(i));
      check(mine.length === total && new Set(mine).size === total, 'HT-2', `all ${total} PEs once`, `${mine.length} entries, ${new Set(mine).size} distinct`);
    },
  },
  {
    id: 'enrp/handle-table/checksum-mismatch-requests',
    rule: 'A Presence whose checksum differs from the receiver\u2019s view of the sender triggers a Handle Table Request W = 1.',
    requirements: [req('CK-2')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await quietPeer(ctx);
      peer.ep.send(presence(peer.ep, 0, 0x1234));
      const r = await expectType(peer.ep, 'handleTableRequest', 2000, 'CK-2');
      check(r.flags.W, 'CK-2', 'W = 1', 'W = 0');
    },
  },
  {
    id: 'enrp/handle-table/checksum-match-quiet',
    rule: 'A Presence with the matching checksum triggers no Handle Table Request.',
    requirements: [req('CK-2')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx, { autoAnswer: false });
      await injectForeign(ctx, peer, ctx.pool(), ctx.id());
      await drain(peer.ep);
      peer.ep.send(presence(peer.ep, 0, peerChecksum(peer)));
      await expectNone(peer.ep, (m) => m.type === 'handleTableRequest', 1000, 'CK-2', 'Handle Table Request');
    },
  },
  {
    id: 'enrp/handle-table/resync-removes-stale',
    rule: 'After a re-sync, the sender\u2019s PEs missing from its Handle Table are removed.',
    requirements: [req('CK-2')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const { peer, pool, pe: stale } = await peerWithForeign(ctx);
      const kept = await injectForeign(ctx, peer, pool, ctx.id());
      peer.owned.splice(0, 1); // the peer no longer has `stale`; the auto-answer sends only `kept`
      peer.ep.send(presence(peer.ep, 0, peerChecksum(peer)));
      await ctx.target.sleep(10);
      const pu = await openPu(ctx);
      await checkHandedOut(ctx, { pool, peId: stale.peId, pu }, false, 'CK-2', 'the stale PE removed', 'still handed out');
      await checkHandedOut(ctx, { pool, peId: kept.peId, pu }, true, 'CK-2', 'the confirmed PE kept', 'removed');
    },
  },
  {
    id: 'enrp/handle-table/resync-adds-missing',
    rule: 'After a re-sync, PEs of the sender the receiver had missed are added.',
    requirements: [req('CK-2'), req('HT-1')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const peer = await openPeer(ctx);
      const pool = ctx.pool();
      const missed = foreignElement(peer.serverId, ctx.id());
      peer.owned.push({ poolHandle: pool, pe: missed }); // never announced: only the table has it
      peer.ep.send(presence(peer.ep, 0, peerChecksum(peer)));
      await ctx.target.sleep(10);
      await checkHandedOut(ctx, { pool, peId: missed.peId }, true, 'CK-2', 'the missed PE added', 'absent');
    },
  },
  {
    id: 'enrp/handle-table/requester-follows-m-flag',
    rule: 'A requester receiving a page with M = 1 asks for the next page.',
    requirements: [req('HT-2')],
    roles: ['peer', 'pu'],
    deadline: 5000,
    async run(ctx) {
      const peer = await quietPeer(ctx);
      const pool = ctx.pool();
      const first = foreignElement(peer.serverId, ctx.id());
      const second = foreignElement(peer.serverId, ctx.id());
      peer.ep.send(presence(peer.ep, 0, checksumOf([{ poolHandle: pool, peId: first.peId }, { poolHandle: pool, peId: second.peId }])));
      const q1 = await expectType(peer.ep, 'handleTableRequest', 2000, 'CK-2');
      peer.ep.send(tablePage(peer, q1.senderId, pool, first, true));
      await expectType(peer.ep, 'handleTableRequest', 2000, 'HT-2');
      peer.ep.send(tablePage(peer, q1.senderId, pool, second, false));
      await ctx.target.sleep(1);
      const pu = await openPu(ctx);
      check((await resolvable(ctx, pu, pool, first.peId)) && (await resolvable(ctx, pu, pool, second.peId)), 'HT-2', 'PEs of both pages', 'some missing');
    },
  },
  {
    id: 'enrp/handle-table/multicast-not-audited',
    rule: 'A multicast Presence with a wrong checksum does not trigger a re-sync (rsplib audits only SCTP Presences).',
    requirements: [req('CK-2', 'rsplib-only')],
    roles: ['peer'],
    needs: ['multicastSend'],
    deadline: 5000,
    async run(ctx) {
      const peer = await quietPeer(ctx);
      await ctx.target.multicast(presence(peer.ep, 0, 0x4321), peer.ep);
      await expectNone(peer.ep, (m) => m.type === 'handleTableRequest', 1000, 'CK-2', 'Handle Table Request');
    },
  },
];

/** What {@link silentPeer} set up: a peer `dead` owning the PE `peId` in `pool` (served by the endpoint `pe`). */
interface SilentPeer {
  readonly dead: PeerDriver;
  readonly pe: PeDriver;
  readonly pool: Uint8Array;
  readonly peId: number;
  /** How long until the registrar must have given the dead peer up (with 20 % slack). */
  readonly silence: number;
}

/** A {@link SilentPeer} plus `witness`, a live peer that answers and acknowledges takeovers. */
interface WitnessedSilentPeer extends SilentPeer {
  readonly witness: PeerDriver;
}

/** A peer owning a PE that then goes silent; with `witness`, a live peer that acks is opened first. */
async function silentPeer(ctx: CaseContext, witness: PeerDriver | undefined): Promise<SilentPeer> {
  const dead = await openPeer(ctx, { autoAnswer: false, name: 'dead' });
  const pe = await openPe(ctx, true, 'taken-pe');
  const pool = ctx.pool();
  const peId = ctx.id();
  // The PE lives at the PE endpoint: its ASAP transport is that endpoint's address and port.
  const element = foreignElement(dead.serverId, peId, { registrationLife: 3_600_000, asapTransport: { transport: 'sctp', port: pe.ep.port, transportUse: 'dataOnly', addresses: pe.ep.addresses } });
  dead.ep.send(handleUpdate(dead.serverId, 0, pool, element));
  dead.owned.push({ poolHandle: pool, pe: element });
  pe.registered.push({ poolHandle: pool, peId });
  dead.ep.send(presence(dead.ep, 0, peerChecksum(dead)));
  await ctx.target.sleep(1);
  if (witness) await drain(witness.ep);
  const silence = ms((ctx.config.peerMaxTimeLastHeard + ctx.config.peerMaxTimeNoResponse + ctx.config.peerHeartbeatCycle) * 1.2);
  return { dead, pe, pool, peId, silence };
}

/** A silent peer watched by a witness peer: the set-up of most takeover cases. */
async function witnessedSilentPeer(ctx: CaseContext): Promise<WitnessedSilentPeer> {
  const witness = await openPeer(ctx, { name: 'witness' });
  return { witness, ...(await silentPeer(ctx, witness)) };
}

/** Waits at the witness for the Takeover Server about the dead peer. */
function expectTakeoverServer(s: WitnessedSilentPeer): Promise<Of<'takeoverServer'>> {
  return expectType(s.witness.ep, 'takeoverServer', s.silence, 'TO-3', (m) => m.targetId === s.dead.serverId);
}

/**
 * Waits at the taken-over PE for the Endpoint Keep-Alive with H = 1 (KA-4) its new home sends when
 * the takeover completes. It is the PE-side sign of the takeover, independent of the Takeover
 * Server to the peers (TO-3), which a registrar may fail to send (rsplib: "Sending TakeoverServer
 * failed") while the takeover itself still happens: cases about the takeover's effect on the PE
 * wait for this, so only the case about Takeover Server depends on that message.
 */
function expectHomeKeepAlive(s: SilentPeer, requirement: string): Promise<Of<'endpointKeepAlive'>> {
  return expectType(s.pe.ep, 'endpointKeepAlive', s.silence, requirement, (m) => m.flags.H && sameBytes(m.poolHandle, s.pool) && (m.peId ?? s.peId) === s.peId, `Endpoint Keep-Alive H = 1 for PE ${hex(s.peId, 8)}`);
}

/** Waits at the witness (which then does not ack) for the Init Takeover about the dead peer. */
function expectInitTakeover(s: WitnessedSilentPeer): Promise<Of<'initTakeover'>> {
  s.witness.ackTakeovers = false;
  return expectType(s.witness.ep, 'initTakeover', s.silence, 'TO-1', (m) => m.targetId === s.dead.serverId);
}

export const takeoverCases: readonly ConformanceCase[] = [
  {
    id: 'enrp/takeover/silent-peer-init',
    rule: 'A peer that stays silent past MAX-TIME-LAST-HEARD + MAX-TIME-NO-RESPONSE and owns PEs is proposed for takeover with Init Takeover.',
    requirements: [req('PP-4'), req('TO-1')],
    roles: ['peer', 'peer', 'pe'],
    deadline: 200_000,
    async run(ctx) {
      const s = await witnessedSilentPeer(ctx);
      const { dead } = s;
      const it = await expectInitTakeover(s);
      check(it.targetId === dead.serverId, 'TO-1', `target ${hex(dead.serverId, 8)}`, hex(it.targetId, 8));
    },
  },
  {
    id: 'enrp/takeover/completes-after-acks',
    rule: 'With every Init Takeover Ack in, the registrar sends Takeover Server to the peers and Keep-Alive H = 1 to the PEs.',
    requirements: [req('TO-3'), req('KA-4')],
    roles: ['peer', 'peer', 'pe'],
    needs: ['acceptsIncoming'],
    deadline: 200_000,
    async run(ctx) {
      const s = await witnessedSilentPeer(ctx);
      const { dead, pe } = s;
      const ts = await expectTakeoverServer(s);
      check(ts.targetId === dead.serverId, 'TO-3', 'the dead peer as target', hex(ts.targetId, 8));
      await ctx.target.sleep(1);
      const h = pe.keepAlives.find((k) => k.flags.H);
      check(h !== undefined, 'TO-3', 'a Keep-Alive H = 1 to the PE', `${pe.keepAlives.length} Keep-Alives, none with H = 1`);
      check(h.serverId === ts.senderId, 'KA-4', `server ID ${hex(ts.senderId, 8)}`, hex(h.serverId, 8));
    },
  },
  {
    id: 'enrp/takeover/ownership-moves',
    rule: 'After a takeover the survivor is home of the taken-over PEs (its W = 1 Handle Table lists them with its ID).',
    requirements: [req('TO-3')],
    roles: ['peer', 'peer', 'pe'],
    needs: ['acceptsIncoming'],
    deadline: 200_000,
    async run(ctx) {
      const s = await witnessedSilentPeer(ctx);
      const { witness, peId } = s;
      // The takeover is over once the PE hears from its new home (H = 1); whether Takeover Server
      // reached the peers is completes-after-acks' business, not this rule's.
      await expectHomeKeepAlive(s, 'TO-3');
      // The PE acks (autoAck); give the target a moment to take that in before asking.
      await ctx.target.sleep(100);
      const me = await targetServerId(ctx, witness);
      // TO-3: the survivor now is the PE's home, so its own-PEs-only (W = 1) table lists the PE with its ID.
      const e = tableEntries(await requestTable(witness, true, me, 'TO-3')).find((x) => x.peId === peId);
      check(e?.homeRegistrarId === me, 'TO-3', `PE ${hex(peId, 8)} owned by ${hex(me, 8)}`, e === undefined ? 'not listed' : hex(e.homeRegistrarId, 8));
    },
  },
  {
    id: 'enrp/takeover/unanswering-pe-removed',
    rule: 'A taken-over PE that does not answer the H = 1 Keep-Alive is removed with DEL_PE (rsplib).',
    requirements: [req('TO-3', 'rsplib-only'), req('KA-3')],
    roles: ['peer', 'peer', 'pe', 'pu'],
    needs: ['acceptsIncoming'],
    deadline: 200_000,
    async run(ctx) {
      const s = await witnessedSilentPeer(ctx);
      const { witness, pe, pool, peId } = s;
      pe.autoAck = false;
      // The takeover reached the PE (H = 1, unanswered): from here its Keep-Alive timeout runs,
      // whether or not the peers got a Takeover Server (that is completes-after-acks' rule).
      await expectHomeKeepAlive(s, 'TO-3');
      // KA-3: no Ack within KEEP-ALIVE-TIMEOUT: the new home removes the PE and tells the peers (DEL_PE).
      await expectUpdate(witness, peId, 1, ms(ctx.config.keepAliveTimeoutInterval * 1.2 + 100), 'KA-3');
      await checkHandedOut(ctx, { pool, peId }, false, 'KA-3', 'the PE removed', 'still handed out');
    },
  },
  {
    id: 'enrp/takeover/lone-survivor',
    rule: 'With no other peer to ask, the survivor completes the takeover at once (RFC reading; rsplib never completes it, TO-6).',
    requirements: [req('TO-3'), req('TO-6')],
    roles: ['peer', 'pe'],
    needs: ['acceptsIncoming'],
    deadline: 200_000,
    async run(ctx) {
      const { pe, silence } = await silentPeer(ctx, undefined);
      await ctx.target.sleep(silence);
      check(pe.keepAlives.some((k) => k.flags.H), 'TO-3', 'a Keep-Alive H = 1 to the dead peer\u2019s PE', 'none');
    },
  },
  {
    id: 'enrp/takeover/ack-init-takeover',
    rule: 'A registrar not taking over the target itself acknowledges another peer\u2019s Init Takeover.',
    requirements: [req('TO-2')],
    roles: ['peer', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const victim = await openPeer(ctx);
      const taker = await openPeer(ctx, { autoAnswer: false });
      taker.ep.send(initTakeover(taker, victim.serverId));
      const a = await expectType(taker.ep, 'initTakeoverAck', 2000, 'TO-2');
      check(a.targetId === victim.serverId, 'TO-2', `target ${hex(victim.serverId, 8)}`, hex(a.targetId, 8));
    },
  },
  {
    id: 'enrp/takeover/unknown-target-acked',
    rule: 'An Init Takeover about a registrar the receiver does not know is acknowledged all the same (rsplib).',
    requirements: [req('TO-2', 'rsplib-only')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const taker = await openPeer(ctx, { autoAnswer: false });
      const unknown = ctx.id();
      taker.ep.send(initTakeover(taker, unknown));
      await expectType(taker.ep, 'initTakeoverAck', 2000, 'TO-2', (m) => m.targetId === unknown);
    },
  },
  {
    id: 'enrp/takeover/target-answers-alive',
    rule: 'A registrar that is itself the target of an Init Takeover says it is alive with a Presence, and sends no Ack.',
    requirements: [req('TO-2')],
    roles: ['peer'],
    deadline: 5000,
    async run(ctx) {
      const taker = await openPeer(ctx, { autoAnswer: false });
      const me = await targetServerId(ctx, taker);
      await drain(taker.ep);
      taker.ep.send(initTakeover(taker, me, me));
      await expectType(taker.ep, 'presence', 2000, 'TO-2');
      await expectNone(taker.ep, (m) => m.type === 'initTakeoverAck', 500, 'TO-2', 'Init Takeover Ack about itself');
    },
  },
  {
    id: 'enrp/takeover/takeover-server-moves-ownership',
    rule: 'On Takeover Server the receiver records the sender as home of the target\u2019s PEs.',
    requirements: [req('TO-4')],
    roles: ['peer', 'peer'],
    deadline: 5000,
    async run(ctx) {
      const victim = await openPeer(ctx);
      const taker = await openPeer(ctx, { autoAnswer: false });
      const pool = ctx.pool();
      const pe = await injectForeign(ctx, victim, pool, ctx.id());
      taker.ep.send({ protocol: 'enrp', type: 'takeoverServer', senderId: taker.serverId, receiverId: 0, targetId: victim.serverId });
      await ctx.target.sleep(1);
      const e = tableEntries(await requestTable(taker, false, 0, 'TO-4')).find((x) => x.peId === pe.peId);
      check(e?.homeRegistrarId === taker.serverId, 'TO-4', `home ${hex(taker.serverId, 8)}`, e === undefined ? 'not listed' : hex(e.homeRegistrarId, 8));
    },
  },
  {
    id: 'enrp/takeover/presence-cancels',
    rule: 'A Presence from the supposedly dead peer cancels its pending takeover (rsplib).',
    requirements: [req('TO-5')],
    roles: ['peer', 'peer', 'pe'],
    deadline: 200_000,
    async run(ctx) {
      const s = await witnessedSilentPeer(ctx);
      const { witness, dead } = s;
      await expectInitTakeover(s);
      dead.ep.send(presence(dead.ep, 0, peerChecksum(dead)));
      await ctx.target.sleep(1);
      witness.ep.send({ protocol: 'enrp', type: 'initTakeoverAck', senderId: witness.serverId, receiverId: 0, targetId: dead.serverId });
      await expectNone(witness.ep, (m) => m.type === 'takeoverServer', 2000, 'TO-5', 'Takeover Server after the target came back');
    },
  },
];
