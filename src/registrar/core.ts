/**
 * The registrar's state and the helpers every protocol module shares. Only the modules of
 * `src/registrar/` touch it; the public face is {@link import('./registrar.js').Registrar}.
 */
import {
  CAUSE,
  type AsapMessage,
  type EnrpMessage,
  type ErrorCause,
  type Message,
  type PoolElement,
  type ServerInformation,
  UPDATE_ACTION,
} from '../../codecs/index.js';
import { Handlespace, Random, type HandleTableCursor, type PoolElementEntry } from '../handlespace/index.js';
import type { Address } from '../../codecs/types.js';
import type { RegistrarConfig } from './config.js';
import type { LogAction, RegistrarAction } from './events.js';

/** What the registrar knows about one ASAP or ENRP association. */
export interface AssociationState {
  readonly protocol: 'asap' | 'enrp';
  readonly peerAddresses: readonly Address[];
  readonly peerPort: number;
  /** Undecodable messages seen on it (for `abortAfterMalformed`). */
  malformed: number;
}

/** One peer PR (`registrar-behaviour.md` §1 "Peer entry"). */
export interface Peer {
  readonly id: number;
  /** Last time a Presence arrived (PP-4). */
  lastHeard: number;
  /** When the R = 1 probe went out, if one is outstanding (PP-4). */
  probeSentAt: number | undefined;
  /** Declared dead; a takeover may be running (TO-1). */
  failed: boolean;
  /** PP-6: the one List Request has been sent. */
  listRequested: boolean;
  /** CK-2 HTSYNC: a Handle Table re-sync with this peer is running, since this time. */
  syncingSince: number | undefined;
  /** CK-2: this peer's PEs not yet confirmed by the running re-sync. */
  readonly marked: Set<PoolElementEntry>;
  /** HT-2: where the next Handle Table Response page to this peer resumes. */
  htCursor: HandleTableCursor | null;
  /** Its Server Information as last announced (LS-1). */
  serverInformation: ServerInformation | undefined;
  /** TO-2: another PR we acknowledged as taking this peer over. */
  takeoverBy: number | undefined;
}

/** A takeover this PR runs (TO-1). */
export interface Takeover {
  readonly target: number;
  readonly outstanding: Set<number>;
  readonly expiresAt: number;
}

/** Shared state of one registrar. */
export class RegistrarCore {
  readonly handlespace: Handlespace;
  readonly random: Random;
  readonly associations = new Map<number, AssociationState>();
  readonly peers = new Map<number, Peer>();
  readonly takeovers = new Map<number, Takeover>();
  /** Actions of the event being handled. */
  actions: RegistrarAction[] = [];
  /** ST-2: start-up phase runs until this time (undefined once over). */
  startupEndsAt: number | undefined;
  mentor: number | undefined;
  nextAnnounceAt: number | undefined;
  nextPresenceAt: number | undefined;

  constructor(
    readonly config: RegistrarConfig,
    readonly clock: () => number,
  ) {
    if (!Number.isInteger(config.serverId) || config.serverId <= 0 || config.serverId > 0xffffffff) {
      // ST-1: 0 means "unknown" everywhere, so a PR must never use it.
      throw new RangeError(`server ID must be a non-zero uint32, got ${config.serverId}`);
    }
    this.handlespace = new Handlespace({ seed: config.seed, maxIncrement: config.maxIncrement });
    this.random = new Random((config.seed ^ 0x5a5a5a5a) >>> 0);
  }

  get id(): number {
    return this.config.serverId;
  }

  now(): number {
    return this.clock();
  }

  emit(a: RegistrarAction): void {
    this.actions.push(a);
  }

  log(level: LogAction['level'], event: string, requirement?: string, detail?: LogAction['detail']): void {
    const a: { -readonly [K in keyof LogAction]: LogAction[K] } = { kind: 'log', level, event };
    if (requirement !== undefined) a.requirement = requirement;
    if (detail !== undefined) a.detail = detail;
    this.actions.push(a);
  }

  send(association: number, message: Message): void {
    this.actions.push({ kind: 'send', association, message });
  }

  sendPeer(peerId: number, message: EnrpMessage): void {
    this.actions.push({ kind: 'sendPeer', peerId, message });
  }

  /** `value` × uniform [0.875, 1.125] (rsplib's jitter of announce and heartbeat cycles). */
  jitter(value: number): number {
    return value * (0.875 + 0.25 * this.random.nextFloat());
  }

  /** Pick the RFC or the rsplib cause (`causeProfile`). */
  cause(rfc: number, rsplib: number): number {
    return this.config.causeProfile === 'rfc' ? rfc : rsplib;
  }

  /** The PE as a Pool Element parameter: with ASAP transport for ENRP, without for ASAP (HR-1). */
  poolElementOf(e: PoolElementEntry, withAsapTransport: boolean, homeId = e.homeRegistrarId): PoolElement {
    const base = {
      peId: e.peId,
      homeRegistrarId: homeId,
      registrationLife: e.registrationLife,
      userTransport: e.userTransport,
      policy: e.policy,
    };
    return withAsapTransport && e.asapTransport !== undefined ? { ...base, asapTransport: e.asapTransport } : base;
  }

  /** Tell every peer about a PE (REG-13, HU-1, DR-2). */
  announceUpdate(e: PoolElementEntry, action: 'add' | 'del'): void {
    // DR-2 (rsplib): a DEL_PE carries this PR's ID as home, whoever owned the PE.
    const element = this.poolElementOf(e, true, action === 'del' ? this.id : e.homeRegistrarId);
    for (const peer of this.peers.values()) {
      this.sendPeer(peer.id, {
        protocol: 'enrp',
        type: 'handleUpdate',
        flags: { T: false },
        senderId: this.id,
        receiverId: peer.id,
        updateAction: action === 'add' ? UPDATE_ACTION.addPe : UPDATE_ACTION.delPe,
        poolHandle: e.poolHandle,
        poolElement: element,
      });
    }
  }

  /** This PR's Server Information (PP-5, LS-1). */
  serverInformation(): ServerInformation {
    return { serverId: this.id, transport: this.config.enrpTransport };
  }

  /** A Presence to `receiverId` (0 = the multicast copy), with this PR's checksum (CK-1). */
  presence(receiverId: number, replyRequired: boolean): EnrpMessage {
    return {
      protocol: 'enrp',
      type: 'presence',
      flags: { R: replyRequired },
      senderId: this.id,
      receiverId,
      peChecksum: this.handlespace.ownershipChecksum(this.id),
      serverInformation: this.serverInformation(),
    };
  }

  /** An ASAP Error with one cause. */
  asapError(cause: ErrorCause): AsapMessage {
    return { protocol: 'asap', type: 'error', operationError: { causes: [cause] } };
  }

  /** A cause without info. */
  static bare(code: number): ErrorCause {
    return { code, info: new Uint8Array(0) };
  }

  /** Removes a PE, announcing the removal if this PR owns it (HU-1). */
  removePe(e: PoolElementEntry, reason: string, requirement: string, announce: boolean): void {
    if (announce) this.announceUpdate(e, 'del');
    this.handlespace.remove(e);
    this.log('info', 'pe.removed', requirement, { reason, peId: e.peId, pool: hexOf(e.poolHandle), owner: e.homeRegistrarId });
  }
}

/** Pool handle bytes as hex, for logs. */
export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export { CAUSE };
