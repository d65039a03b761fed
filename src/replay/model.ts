/**
 * What the replay works on: a capture flattened into one time-ordered list of ASAP/ENRP messages
 * and SCTP association life-cycle events, each tied to an association instance.
 */
import type { Message, Protocol } from '../../codecs/index.js';

/** One side of a conversation: IP address (text) and port (SCTP, or UDP for announces). */
export interface Endpoint {
  readonly ip: string;
  readonly port: number;
  /**
   * SCTP over UDP (RFC 6951): the outer UDP port. Part of the endpoint's identity: behind a NAT
   * (the lab's qemu slirp, our networked registrar on loopback) several SCTP stacks share one IP
   * address and may use the same SCTP port (our registrar and a guest registrar both on 9901),
   * told apart only by their UDP ports.
   */
  readonly udpPort?: number;
}

/** `ip:port` (IPv6 in brackets), with `/udp:PORT` for SCTP over UDP. */
export function endpointText(e: Endpoint): string {
  const base = e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
  return e.udpPort !== undefined ? `${base}/udp:${e.udpPort}` : base;
}

/** Whether two endpoints are the same (IP, port, and UDP port of SCTP over UDP). */
export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.ip === b.ip && a.port === b.port && a.udpPort === b.udpPort;
}

/** An ASAP or ENRP message of the capture. */
export interface TimedMessage {
  readonly kind: 'message';
  /** Position in the flattened list. */
  readonly index: number;
  /** Frame that completed the message (what Wireshark shows it in). */
  readonly frame: number;
  readonly frames: readonly number[];
  /** Milliseconds since the first frame of the capture. */
  readonly time: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly transport: 'sctp' | 'udp';
  /** SCTP: the association instance (see {@link AssociationInstance}); UDP: undefined. */
  readonly association: number | undefined;
  readonly protocol: Protocol;
  readonly ppid: number | undefined;
  readonly bytes: Uint8Array;
  /** Decoded leniently (what rsplib accepts), in either parameter numbering. */
  readonly message: Message | undefined;
  /** Why lenient decoding failed. */
  readonly decodeError: string | undefined;
  /** Whether the strict RFC decoder refuses it (lint). */
  readonly strictError: string | undefined;
  /** The message uses the pre-RFC (2007) parameter numbering. */
  readonly legacy: boolean;
}

/** An SCTP control chunk that matters for association life (INIT addresses, SHUTDOWN, ABORT). */
export interface TimedControl {
  readonly kind: 'control';
  readonly index: number;
  readonly frame: number;
  readonly time: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly chunk: 'init' | 'initAck' | 'shutdown' | 'shutdownAck' | 'shutdownComplete' | 'abort';
  /** INIT / INIT ACK: the address parameters the sender listed (its other addresses). */
  readonly addresses: readonly string[];
  readonly association: number;
}

/** One item of the flattened capture. */
export type TimedItem = TimedMessage | TimedControl;

/**
 * One SCTP association from its first sign of life to its end. Ports identify it (tags are not
 * needed: on one host two live associations never share both ports); a new INIT or a packet
 * after the end starts a new instance.
 */
export interface AssociationInstance {
  readonly id: number;
  /** The endpoint that sent the INIT, or else the first sender seen. */
  readonly initiator: Endpoint;
  readonly responder: Endpoint;
  /** Addresses each side is known to have: IP sources of its packets plus INIT address lists. */
  readonly initiatorAddresses: Set<string>;
  readonly responderAddresses: Set<string>;
  readonly start: number;
  startFrame: number;
  end: number | undefined;
  endFrame: number | undefined;
  /** How it ended, if the capture shows it. */
  endReason: 'shutdown' | 'abort' | undefined;
  /** Who sent the ABORT / first SHUTDOWN. */
  endedBy: Endpoint | undefined;
  /** The capture shows the handshake (INIT). */
  sawInit: boolean;
  /** It carried an INIT ACK or data: an ABORT before that is a refused INIT (no listener). */
  established: boolean;
}

/** A capture flattened for replay and lint. */
export interface LoadedCapture {
  readonly file: string;
  readonly items: readonly TimedItem[];
  readonly associations: ReadonlyMap<number, AssociationInstance>;
  /** Absolute time of the first frame, ms since 1970. */
  readonly epoch: number;
  /** Duration covered, ms. */
  readonly duration: number;
  /** Problems the reader reported (checksums excluded: loopback captures leave them zero). */
  readonly readerNotes: readonly string[];
}
