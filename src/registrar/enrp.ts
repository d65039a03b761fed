/**
 * ENRP between PRs (RFC 5353; `registrar-behaviour.md` §6): Presence, peer lists, Handle Updates,
 * the checksum audit and Handle Table paging.
 */
import {
  UPDATE_ACTION,
  type EnrpHandleTableRequest,
  type EnrpHandleTableResponse,
  type EnrpHandleUpdate,
  type EnrpListResponse,
  type EnrpMessage,
  type EnrpPresence,
  type PoolElement,
  type PoolEntry,
} from '../../codecs/index.js';
import type { PoolElementEntry } from '../handlespace/index.js';
import { type RegistrarCore, hexOf } from './core.js';
import { addPeer, sendPresenceToAll } from './peers.js';
import { onInitTakeover, onInitTakeoverAck, onTakeoverServer } from './takeover.js';

/** Where an ENRP message came from: an SCTP association, or the UDP announce group (T-2). */
export type EnrpOrigin = { readonly via: 'sctp'; readonly association: number } | { readonly via: 'udp' };

/** Dispatches one decoded ENRP message. */
export function handleEnrp(core: RegistrarCore, origin: EnrpOrigin, m: EnrpMessage): void {
  // HU-2 and generally: own messages reflected back (e.g. multicast loop) are ignored.
  if (m.senderId === core.id) return;
  if (origin.via === 'udp' && m.type !== 'presence') {
    // T-2: only Presence is processed on the multicast socket.
    core.log('debug', 'enrp.udpIgnored', 'T-2', { type: m.type });
    return;
  }
  switch (m.type) {
    case 'presence':
      return presence(core, origin, m);
    case 'handleUpdate':
      return handleUpdate(core, m);
    case 'handleTableRequest':
      return handleTableRequest(core, origin, m);
    case 'handleTableResponse':
      return handleTableResponse(core, m);
    case 'listRequest':
      return listRequest(core, origin, m.senderId);
    case 'listResponse':
      return listResponse(core, m);
    case 'initTakeover':
      return onInitTakeover(core, m);
    case 'initTakeoverAck':
      return onInitTakeoverAck(core, m);
    case 'takeoverServer':
      return onTakeoverServer(core, m);
    case 'error':
      core.log('info', 'enrp.errorReceived', 'ER-3', { from: m.senderId });
      return;
  }
}

function reply(core: RegistrarCore, origin: EnrpOrigin, peerId: number, m: EnrpMessage): void {
  // T-6: answers go back on the association the request came on.
  if (origin.via === 'sctp') core.send(origin.association, m);
  else core.sendPeer(peerId, m);
}

function presence(core: RegistrarCore, origin: EnrpOrigin, m: EnrpPresence): void {
  // PP-5: the peer is who its Server Information says; 0 is no identity.
  const id = m.serverInformation?.serverId ?? m.senderId;
  if (id === 0 || id === core.id) {
    core.log('warn', 'presence.invalidId', 'PP-5', { id });
    return;
  }
  const known = core.peers.get(id);
  // PP-2: an unknown PR becomes a peer and is asked for a Presence of its own.
  const peer = known ?? addPeer(core, id, true);
  peer.lastHeard = core.now(); // PP-4: only a Presence refreshes last-heard.
  peer.probeSentAt = undefined;
  peer.failed = false;
  if (m.serverInformation !== undefined) peer.serverInformation = m.serverInformation;
  // TO-5: the peer lives: drop any takeover of it, ours or someone else's.
  if (core.takeovers.delete(id)) core.log('info', 'takeover.cancelled', 'TO-5', { target: id });
  peer.takeoverBy = undefined;
  // PP-3: R = 1 is answered with R = 0.
  if (m.flags.R) reply(core, origin, id, core.presence(id, false));
  // ST-2: the first peer heard during start-up is the mentor: fetch its peer list and handlespace.
  if (core.startupEndsAt !== undefined && core.mentor === undefined) {
    core.mentor = id;
    core.log('info', 'startup.mentor', 'ST-2', { mentor: id });
    core.sendPeer(id, { protocol: 'enrp', type: 'listRequest', senderId: core.id, receiverId: id });
    core.sendPeer(id, { protocol: 'enrp', type: 'handleTableRequest', flags: { W: false }, senderId: core.id, receiverId: id });
    peer.listRequested = true;
    // CK-2 step 2: the mentor download is a handle table sync in progress, so the mentor is not
    // audited (no extra W = 1 request) until its last page is in; rsplib does the same (replay of
    // rsplib-b_enrp_peering: PR3 never audits its mentor PR2 during start-up).
    peer.syncingSince = core.now();
    peer.marked.clear();
  }
  if (origin.via !== 'sctp') return; // CK-2: multicast Presences are never audited.
  // PP-6: one List Request per peer entry, after its first SCTP Presence.
  if (!peer.listRequested) {
    peer.listRequested = true;
    core.sendPeer(id, { protocol: 'enrp', type: 'listRequest', senderId: core.id, receiverId: id });
  }
  // CK-2: while a re-sync runs the peer is not audited (rsplib waits forever; syncTimeout may end it).
  if (peer.syncingSince !== undefined) {
    if (core.config.syncTimeout <= 0 || core.now() - peer.syncingSince < core.config.syncTimeout) return;
    core.log('warn', 'sync.timedOut', 'CK-2', { peer: id });
  }
  const ours = core.handlespace.ownershipChecksum(id);
  if (ours === m.peChecksum) return;
  // CK-2: checksum mismatch: mark the peer's PEs and fetch its own PEs (W = 1).
  core.log('info', 'sync.started', 'CK-2', { peer: id, expected: m.peChecksum, ours });
  peer.syncingSince = core.now();
  peer.marked.clear();
  const hs = core.handlespace;
  for (let e = hs.firstOwnedBy(id); e !== null; e = hs.nextOwnedBy(e)) peer.marked.add(e);
  core.send(origin.association, { protocol: 'enrp', type: 'handleTableRequest', flags: { W: true }, senderId: core.id, receiverId: id });
}

/** Adds or refreshes a PE owned by another PR (HU-2, CK-2 step 4); restarts its expiry (REG-12). */
function applyForeign(core: RegistrarCore, poolHandle: Uint8Array, pe: PoolElement, requirement: string): void {
  // HU-2 / CK-2: entries claiming this PR as home are not taken from peers.
  if (pe.homeRegistrarId === core.id || pe.homeRegistrarId === 0) return;
  if (pe.policy.name === 'legacy') {
    core.log('warn', 'update.legacyPolicy', requirement, { peId: pe.peId });
    return;
  }
  if (poolHandle.length === 0 || pe.peId === 0) return;
  const outcome = core.handlespace.register(poolHandle, { ...pe, policy: pe.policy }, 'expiry', core.now() + pe.registrationLife, undefined);
  if (!outcome.ok) {
    core.log('warn', 'update.refused', outcome.requirement, { peId: pe.peId, pool: hexOf(poolHandle), violation: outcome.violation });
    return;
  }
  for (const peer of core.peers.values()) if (peer.syncingSince !== undefined) peer.marked.delete(outcome.entry);
}

function handleUpdate(core: RegistrarCore, m: EnrpHandleUpdate): void {
  if (m.updateAction === UPDATE_ACTION.addPe) {
    applyForeign(core, m.poolHandle, m.poolElement, 'HU-2');
  } else if (m.updateAction === UPDATE_ACTION.delPe) {
    const e = core.handlespace.find(m.poolHandle, m.poolElement.peId);
    if (e === undefined) return;
    // HU-2: rsplib removes the entry whoever owns it. With `delPeRequiresHome` only the PE's
    // recorded home may announce its removal (HU-1): a DEL_PE from a former owner (taken over
    // while partitioned, its Keep-Alives now unanswered) must not delete the new home's PE.
    if (core.config.delPeRequiresHome && e.homeRegistrarId !== m.senderId) {
      core.log('info', 'update.delPeNotFromHome', 'HU-2', { peId: e.peId, from: m.senderId, owner: e.homeRegistrarId });
      return;
    }
    core.removePe(e, 'handleUpdate', 'HU-2', false);
  } else {
    core.log('debug', 'update.unknownAction', 'HU-2', { action: m.updateAction });
  }
}

function handleTableRequest(core: RegistrarCore, origin: EnrpOrigin, m: EnrpHandleTableRequest): void {
  const peer = core.peers.get(m.senderId);
  const base = { protocol: 'enrp', type: 'handleTableResponse', senderId: core.id, receiverId: m.senderId } as const;
  if (peer === undefined) {
    // HT-1 (rsplib): PRs not in the peer table are refused.
    core.log('info', 'handleTable.refused', 'HT-1', { from: m.senderId });
    return reply(core, origin, m.senderId, { ...base, flags: { R: true, M: false }, pools: [] });
  }
  const max = core.config.maxElementsPerHandleTableResponse;
  const out: PoolElementEntry[] = [];
  // HT-1: W = 1 asks for the responder's own PEs only. HT-2: the resume point is kept per peer.
  const page = core.handlespace.readHandleTable(peer.htCursor, max, out, m.flags.W ? core.id : undefined);
  // HT-2 (rsplib): a full page says M = 1 even when nothing follows; the next page is then empty.
  const more = page.count >= max;
  peer.htCursor = more ? page.cursor : null;
  const pools: PoolEntry[] = [];
  let current: { poolHandle: Uint8Array; poolElements: PoolElement[] } | undefined;
  for (const e of out) {
    if (current === undefined || current.poolHandle !== e.poolHandle) {
      current = { poolHandle: e.poolHandle, poolElements: [] };
      pools.push(current);
    }
    current.poolElements.push(core.poolElementOf(e, true));
  }
  reply(core, origin, m.senderId, { ...base, flags: { R: false, M: more }, pools });
}

function handleTableResponse(core: RegistrarCore, m: EnrpHandleTableResponse): void {
  const peer = core.peers.get(m.senderId);
  if (m.flags.R) {
    core.log('info', 'handleTable.rejected', 'HT-1', { from: m.senderId });
    if (peer !== undefined) peer.syncingSince = undefined;
    return;
  }
  for (const pool of m.pools) for (const pe of pool.poolElements) applyForeign(core, pool.poolHandle, pe, 'CK-2');
  const isMentor = core.startupEndsAt !== undefined && core.mentor === m.senderId;
  if (m.flags.M) {
    // HT-2: keep asking until M = 0 (W = 0 towards the mentor, else W = 1).
    core.sendPeer(m.senderId, { protocol: 'enrp', type: 'handleTableRequest', flags: { W: !isMentor }, senderId: core.id, receiverId: m.senderId });
    return;
  }
  if (peer !== undefined && peer.syncingSince !== undefined) {
    // CK-2 step 5: what the peer did not confirm no longer exists there.
    let removed = 0;
    for (const e of peer.marked) {
      if (e.live && e.homeRegistrarId === peer.id) {
        core.removePe(e, 'resync', 'CK-2', false);
        removed++;
      }
    }
    peer.marked.clear();
    peer.syncingSince = undefined;
    core.log('info', 'sync.completed', 'CK-2', { peer: peer.id, removed });
  }
  if (isMentor) endStartup(core); // ST-2: the mentor's last page ends start-up.
}

function listRequest(core: RegistrarCore, origin: EnrpOrigin, from: number): void {
  // LS-1 (rsplib): answer everyone, never refuse, list every peer but not oneself.
  const servers = [...core.peers.values()].map(
    (p) => p.serverInformation ?? { serverId: p.id, transport: core.config.enrpTransport },
  );
  reply(core, origin, from, { protocol: 'enrp', type: 'listResponse', flags: { R: false }, senderId: core.id, receiverId: from, servers });
}

function listResponse(core: RegistrarCore, m: EnrpListResponse): void {
  if (m.flags.R) return;
  for (const s of m.servers) {
    // LS-1: every listed PR with a real ID becomes a peer and hears from us.
    if (s.serverId === 0 || s.serverId === core.id || core.peers.has(s.serverId)) continue;
    const peer = addPeer(core, s.serverId, false);
    peer.serverInformation = s;
    core.sendPeer(s.serverId, core.presence(s.serverId, false));
  }
}

/** ST-2 end of start-up: announces begin (SA-1) and the first Presence goes out (PP-1). */
export function endStartup(core: RegistrarCore): void {
  if (core.startupEndsAt === undefined) return;
  core.startupEndsAt = undefined;
  core.log('info', 'startup.ended', 'ST-2', { mentor: core.mentor ?? 0 });
  sendPresenceToAll(core);
  core.nextPresenceAt = core.now() + core.jitter(core.config.peerHeartbeatCycle);
  if (core.config.asapAnnounce) core.nextAnnounceAt = core.now();
}
