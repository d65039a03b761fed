/**
 * Takeover of a failed PR (RFC 5353 §3.5; `registrar-behaviour.md` TO-1 … TO-6).
 */
import type { EnrpInitTakeover, EnrpInitTakeoverAck, EnrpTakeoverServer } from '../../codecs/index.js';
import type { RegistrarCore } from './core.js';
import { removePeer, sendPresenceToAll } from './peers.js';

/** TO-1: ask every peer (the target too) for consent to take `target` over. */
export function startTakeover(core: RegistrarCore, target: number): void {
  const outstanding = new Set<number>();
  for (const peer of core.peers.values()) {
    core.sendPeer(peer.id, { protocol: 'enrp', type: 'initTakeover', senderId: core.id, receiverId: peer.id, targetId: target });
    // TO-1: Acks are awaited from everyone except the target, this PR and unidentified entries.
    if (peer.id !== target && peer.id !== core.id && peer.id !== 0) outstanding.add(peer.id);
  }
  core.takeovers.set(target, { target, outstanding, expiresAt: core.now() + core.config.takeoverExpiryInterval });
  core.log('info', 'takeover.started', 'TO-1', { target, awaiting: outstanding.size });
  // TO-6: with nobody to ask, the RFC reading completes at once (UNCONFIRMED); rsplib never does.
  if (outstanding.size === 0 && core.config.takeoverWithoutPeers === 'complete') completeTakeover(core, target);
}

/** TO-2: answer another PR's Init Takeover. */
export function onInitTakeover(core: RegistrarCore, m: EnrpInitTakeover): void {
  if (m.targetId === core.id) {
    // TO-2: the "dead" PR is alive and says so to everyone.
    core.log('info', 'takeover.targetedAlive', 'TO-2', { by: m.senderId });
    sendPresenceToAll(core);
    return;
  }
  if (core.takeovers.has(m.targetId)) {
    // TO-2: competing takeovers: the lower server ID wins (rsplib; RFC direction UNCONFIRMED).
    if (m.senderId > core.id) {
      core.log('info', 'takeover.tieWon', 'TO-2', { target: m.targetId, against: m.senderId });
      return;
    }
    core.takeovers.delete(m.targetId);
    core.log('info', 'takeover.tieLost', 'TO-2', { target: m.targetId, to: m.senderId });
  }
  const target = core.peers.get(m.targetId);
  if (target !== undefined) target.takeoverBy = m.senderId;
  // TO-2: an unknown target is acknowledged all the same.
  const ack: EnrpInitTakeoverAck = { protocol: 'enrp', type: 'initTakeoverAck', senderId: core.id, receiverId: m.senderId, targetId: m.targetId };
  core.sendPeer(m.senderId, ack);
}

/** TO-1: count an Ack; with all in, take over. */
export function onInitTakeoverAck(core: RegistrarCore, m: EnrpInitTakeoverAck): void {
  const t = core.takeovers.get(m.targetId);
  if (t === undefined) return;
  t.outstanding.delete(m.senderId);
  if (t.outstanding.size === 0) completeTakeover(core, m.targetId);
}

/** TO-3: announce Takeover Server, become home of the target's PEs and tell each PE (H = 1). */
export function completeTakeover(core: RegistrarCore, target: number): void {
  core.takeovers.delete(target);
  for (const peer of core.peers.values()) {
    if (peer.id === target) continue;
    const m: EnrpTakeoverServer = { protocol: 'enrp', type: 'takeoverServer', senderId: core.id, receiverId: peer.id, targetId: target };
    core.sendPeer(peer.id, m);
  }
  const hs = core.handlespace;
  const moved = [];
  for (let e = hs.firstOwnedBy(target); e !== null; e = hs.nextOwnedBy(e)) moved.push(e);
  const deadline = core.now() + core.config.keepAliveTimeoutInterval;
  for (const e of moved) {
    hs.setHomeRegistrar(e, core.id);
    hs.setAssociation(e, undefined);
    // TO-3 (rsplib): straight to the Keep-Alive timeout: a PE not acking within it is removed.
    hs.scheduleTimer(e, 'keepAliveTimeout', deadline);
    if (e.asapTransport !== undefined) {
      core.emit({
        kind: 'sendEndpoint',
        transport: e.asapTransport,
        message: { protocol: 'asap', type: 'endpointKeepAlive', flags: { H: true }, serverId: core.id, poolHandle: e.poolHandle, peId: e.peId },
      });
    }
  }
  removePeer(core, target, 'taken over');
  core.log('info', 'takeover.completed', 'TO-3', { target, elements: moved.length });
}

/** TO-4: another PR took `target` over: its PEs now belong to the sender. */
export function onTakeoverServer(core: RegistrarCore, m: EnrpTakeoverServer): void {
  if (m.targetId === core.id) {
    // Deviation from rsplib (which checks nothing): never hand this PR's own PEs away while it lives.
    core.log('warn', 'takeover.ofSelfIgnored', 'TO-4', { by: m.senderId });
    return;
  }
  const moved = core.handlespace.transferOwnership(m.targetId, m.senderId);
  removePeer(core, m.targetId, 'taken over by peer');
  core.log('info', 'takeover.observed', 'TO-4', { target: m.targetId, by: m.senderId, elements: moved });
}

/** TO-1: a takeover without all Acks in time is abandoned and the dead peer forgotten. */
export function expireTakeovers(core: RegistrarCore): void {
  const now = core.now();
  for (const t of [...core.takeovers.values()]) {
    if (t.expiresAt > now) continue;
    core.log('warn', 'takeover.abandoned', 'TO-1', { target: t.target, missing: t.outstanding.size });
    removePeer(core, t.target, 'takeover abandoned');
  }
}
