/**
 * ENRP exchanges shared by the case files: peer set-up (a quiet peer, a peer owning a PE), Handle
 * Updates, Handle Table requests and the ENRP messages the driver sends as a peer.
 *
 * Like the ASAP builders, each helper keeps the order of `ctx.pool()`, `ctx.id()` and endpoint
 * opens the cases had when they spelled the exchange out.
 */
import type { CaseContext } from '../../src/conformance/case.js';
import type { Received } from '../../src/conformance/target.js';
import type { EnrpMessage, PoolElement } from '../../codecs/index.js';
import { drain, expectType, handleUpdate, injectForeign, openPeer, presence, type Of, type PeerDriver } from '../support.js';

/** Options of {@link openPeer}. */
export type PeerOptions = NonNullable<Parameters<typeof openPeer>[1]>;

/**
 * A peer that answers nothing by itself (so every message it gets is the case's to judge), with
 * what the registrar sent after its first Presence already discarded.
 */
export async function quietPeer(ctx: CaseContext, options: Omit<PeerOptions, 'autoAnswer'> = {}): Promise<PeerDriver> {
  const peer = await openPeer(ctx, { ...options, autoAnswer: false });
  await drain(peer.ep);
  return peer;
}

/** What {@link peerWithForeign} set up. */
export interface PeerWithForeign {
  readonly peer: PeerDriver;
  readonly pool: Uint8Array;
  /** The PE the peer announced (and owns). */
  readonly pe: PoolElement;
}

/** An answering peer that has announced one PE of its own in a fresh pool with ADD_PE. */
export async function peerWithForeign(ctx: CaseContext, over: Partial<PoolElement> = {}): Promise<PeerWithForeign> {
  const peer = await openPeer(ctx);
  const pool = ctx.pool();
  const pe = await injectForeign(ctx, peer, pool, ctx.id(), over);
  return { peer, pool, pe };
}

/** Sends a Handle Update about `pe` from `peer` (0 = ADD_PE, 1 = DEL_PE) and lets it be applied. */
export async function sendUpdate(ctx: CaseContext, peer: PeerDriver, pool: Uint8Array, pe: PoolElement, action = 0): Promise<void> {
  peer.ep.send(handleUpdate(peer.serverId, 0, pool, pe, action));
  await ctx.target.sleep(1);
}

/** Sends a Presence R = 1 (any checksum) from `peer` and waits for the answering Presence. */
export function probe(peer: PeerDriver, requirement: string): Promise<Of<'presence'> & { readonly received: Received }> {
  peer.ep.send(presence(peer.ep, 0, 0xffff, true));
  return expectType(peer.ep, 'presence', 2000, requirement);
}

/** ENRP Handle Table Request from `peer`; W = 1 asks for the receiver's own PEs only. */
export function tableRequest(peer: PeerDriver, W: boolean, receiverId = 0): EnrpMessage {
  return { protocol: 'enrp', type: 'handleTableRequest', flags: { W }, senderId: peer.serverId, receiverId };
}

/** Sends a Handle Table Request from `peer` and returns the (first) Handle Table Response. */
export function requestTable(peer: PeerDriver, W: boolean, receiverId: number, requirement: string): Promise<Of<'handleTableResponse'> & { readonly received: Received }> {
  peer.ep.send(tableRequest(peer, W, receiverId));
  return expectType(peer.ep, 'handleTableResponse', 2000, requirement);
}

/** Every Pool Element of a Handle Table Response, pool after pool. */
export function tableEntries(r: Of<'handleTableResponse'>): PoolElement[] {
  return r.pools.flatMap((p) => p.poolElements);
}

/** One page of a Handle Table Response from `peer`: `pe` in `pool`, M = 1 when more pages follow. */
export function tablePage(peer: PeerDriver, receiverId: number, pool: Uint8Array, pe: PoolElement, M: boolean): EnrpMessage {
  return { protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M }, senderId: peer.serverId, receiverId, pools: [{ poolHandle: pool, poolElements: [pe] }] };
}

/** ENRP List Request from `peer`. */
export function listRequest(peer: PeerDriver, receiverId = 0): EnrpMessage {
  return { protocol: 'enrp', type: 'listRequest', senderId: peer.serverId, receiverId };
}

/** ENRP Init Takeover from `peer` about `targetId`. */
export function initTakeover(peer: PeerDriver, targetId: number, receiverId = 0): EnrpMessage {
  return { protocol: 'enrp', type: 'initTakeover', senderId: peer.serverId, receiverId, targetId };
}
