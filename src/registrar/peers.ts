/**
 * The peer table (`registrar-behaviour.md` §6.2): learning peers, heartbeats and failure detection.
 */
import type { Peer, RegistrarCore } from './core.js';
import { startTakeover } from './takeover.js';

/** Adds a peer entry; PP-2: a new peer gets a Presence with R = 1 unless told otherwise. */
export function addPeer(core: RegistrarCore, id: number, probe: boolean): Peer {
  const peer: Peer = {
    id,
    lastHeard: core.now(),
    probeSentAt: undefined,
    failed: false,
    listRequested: false,
    syncingSince: undefined,
    marked: new Set(),
    htCursor: null,
    serverInformation: undefined,
    takeoverBy: undefined,
  };
  core.peers.set(id, peer);
  core.log('info', 'peer.added', 'PP-2', { peer: id });
  if (probe) core.sendPeer(id, core.presence(id, true));
  return peer;
}

/** Forgets a peer; its PEs stay until their Registration Life runs out (TO-1, REG-12). */
export function removePeer(core: RegistrarCore, id: number, reason: string): void {
  if (!core.peers.delete(id)) return;
  core.takeovers.delete(id);
  core.log('info', 'peer.removed', 'PP-4', { peer: id, reason });
  // PP-2: a configured peer is never forgotten for good: a fresh entry (no takeover state, no
  // sync, ownership already settled) is probed again after MAX-TIME-LAST-HEARD, so a PR that was
  // only cut off rejoins once the partition heals even when no multicast Presence reaches us.
  if (core.config.retryStaticPeers && id !== core.id && core.config.staticPeers.includes(id)) addPeer(core, id, false);
}

/** PP-1: Presence to every peer, plus the multicast copy with Receiving ID 0. */
export function sendPresenceToAll(core: RegistrarCore): void {
  for (const peer of core.peers.values()) core.sendPeer(peer.id, core.presence(peer.id, false));
  if (core.config.enrpAnnounce) core.emit({ kind: 'multicast', message: core.presence(0, false) });
}

/** When the peer's liveness check is next due (PP-4). */
export function peerCheckAt(core: RegistrarCore, peer: Peer): number {
  if (peer.failed) return Number.POSITIVE_INFINITY;
  return peer.probeSentAt === undefined
    ? peer.lastHeard + core.config.peerMaxTimeLastHeard
    : peer.probeSentAt + core.config.peerMaxTimeNoResponse;
}

/** PP-4: probe silent peers with R = 1; declare them dead when the probe goes unanswered. */
export function checkPeers(core: RegistrarCore): void {
  const now = core.now();
  for (const peer of [...core.peers.values()]) {
    if (peerCheckAt(core, peer) > now) continue;
    if (peer.probeSentAt === undefined) {
      peer.probeSentAt = now;
      core.sendPeer(peer.id, core.presence(peer.id, true));
      continue;
    }
    peer.failed = true;
    core.log('warn', 'peer.failed', 'PP-4', { peer: peer.id });
    // PP-4: a dead peer owning nothing, or already being taken over by another PR, is just dropped.
    if (peer.takeoverBy !== undefined || core.handlespace.ownedCount(peer.id) === 0) removePeer(core, peer.id, 'dead');
    else startTakeover(core, peer.id);
  }
}
