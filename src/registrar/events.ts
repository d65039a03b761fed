/**
 * What goes into the sans-IO registrar (events) and what comes out (actions). The driver owns
 * sockets and the clock; the registrar only reacts.
 */
import type { Address, AsapMessage, EnrpMessage, Message, TransportParameter } from '../../codecs/types.js';

/** A transport association came up (SCTP: COMM_UP), with the remote side's addresses and port. */
export interface AssociationUp {
  readonly kind: 'associationUp';
  readonly association: number;
  /** ASAP (PEs and PUs) or ENRP (peer PRs). */
  readonly protocol: 'asap' | 'enrp';
  readonly peerAddresses: readonly Address[];
  readonly peerPort: number;
}

/** An association ended (COMM_LOST, SHUTDOWN_COMPLETE, or the driver aborted it). */
export interface AssociationDown {
  readonly kind: 'associationDown';
  readonly association: number;
}

/** An ASAP message on an association; raw octets are decoded by the registrar itself. */
export interface AsapReceived {
  readonly kind: 'asap';
  readonly association: number;
  readonly message: AsapMessage | Uint8Array;
  /** SCTP PPID the message came with; 12 on the ASAP socket is a protocol violation (T-3). */
  readonly ppid?: number;
}

/** An ENRP message from a peer over SCTP. */
export interface EnrpReceived {
  readonly kind: 'enrp';
  /** The ENRP association it came on; replies go back on it (T-6). */
  readonly association: number;
  readonly message: EnrpMessage | Uint8Array;
  readonly ppid?: number;
}

/** A UDP multicast announce: ENRP Presence (T-2). Other messages there are ignored. */
export interface AnnounceReceived {
  readonly kind: 'announce';
  readonly source: Address;
  readonly message: EnrpMessage | Uint8Array;
}

/** The injected clock moved on; due timers run. */
export interface TimeAdvanced {
  readonly kind: 'time';
}

/** Every event the registrar handles. */
export type RegistrarEvent = AssociationUp | AssociationDown | AsapReceived | EnrpReceived | AnnounceReceived | TimeAdvanced;

/** Log record; `event` is a stable name, `requirement` the digest ID behind the decision. */
export interface LogAction {
  readonly kind: 'log';
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly event: string;
  readonly requirement?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** Every action the registrar asks for. */
export type RegistrarAction =
  /** Send on an existing association (replies, Keep-Alives to home PEs). */
  | { readonly kind: 'send'; readonly association: number; readonly message: Message }
  /** Send to a peer PR by server ID (the driver finds or opens the ENRP association). */
  | { readonly kind: 'sendPeer'; readonly peerId: number; readonly message: EnrpMessage }
  /** Open a new association to a PE's ASAP endpoint and send (Keep-Alive H = 1 after a takeover, TO-3). */
  | { readonly kind: 'sendEndpoint'; readonly transport: TransportParameter; readonly message: AsapMessage }
  /** Multicast on the announce group of the protocol (ASAP Server Announce, ENRP Presence). */
  | { readonly kind: 'multicast'; readonly message: Message }
  /** SCTP ABORT of an association. The registrar forgets it at once; no event needs to follow. */
  | { readonly kind: 'abort'; readonly association: number; readonly reason: string }
  /** Deliver a `time` event no later than `at` (ms on the injected clock). */
  | { readonly kind: 'timer'; readonly at: number }
  | LogAction;
