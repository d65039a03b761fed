/**
 * SCTP chunk builders (RFC 9260 §3.3, RFC 8260 §2.1 for I-DATA). Every builder returns the chunk
 * padded to a multiple of 4, ready to be bundled into a packet.
 */
import { DATA_FLAG, SCTP_CHUNK } from '../sctp-chunk-types.js';
import { checkUint, concatBytes, putU16, putU32, roundUp4 } from './octets.js';

/** INIT / INIT ACK parameter types (RFC 9260 §3.3.2.1, RFC 5061 §4.2.7). */
export const SCTP_INIT_PARAM = Object.freeze({
  ipv4Address: 5,
  ipv6Address: 6,
  stateCookie: 7,
  supportedAddressTypes: 12,
  supportedExtensions: 0x8008,
} as const);

/** A chunk with the given type, flags and value; Length counts header and value, not padding. */
export function sctpChunk(type: number, flags: number, value: Uint8Array): Uint8Array {
  const length = 4 + value.length;
  if (length > 0xffff) throw new RangeError(`SCTP chunk of ${length} octets exceeds the 16-bit Chunk Length`);
  const c = new Uint8Array(roundUp4(length));
  c[0] = type;
  c[1] = flags;
  putU16(c, 2, length);
  c.set(value, 4);
  return c;
}

/** A TLV parameter of INIT / INIT ACK, padded (same layout as chunks, RFC 9260 §3.2.1). */
export function sctpParameter(type: number, value: Uint8Array): Uint8Array {
  const p = new Uint8Array(roundUp4(4 + value.length));
  putU16(p, 0, type);
  putU16(p, 2, 4 + value.length);
  p.set(value, 4);
  return p;
}

/** Flag bits shared by DATA and I-DATA. */
export interface DataFlags {
  /** First fragment of the user message. */
  readonly begin: boolean;
  /** Last fragment of the user message. */
  readonly end: boolean;
  readonly unordered?: boolean;
  /** Ask for an immediate SACK (RFC 7053). */
  readonly immediate?: boolean;
}

function dataFlags(f: DataFlags): number {
  return (f.begin ? DATA_FLAG.begin : 0) | (f.end ? DATA_FLAG.end : 0) | (f.unordered ? DATA_FLAG.unordered : 0) | (f.immediate ? DATA_FLAG.immediate : 0);
}

/** Fields of a DATA chunk. */
export interface DataChunkFields extends DataFlags {
  readonly tsn: number;
  readonly streamId: number;
  /** Stream Sequence Number; every fragment of a message repeats it. */
  readonly ssn: number;
  readonly ppid: number;
  readonly data: Uint8Array;
}

/** A DATA chunk (RFC 9260 §3.3.1): 16-octet header, then user data. */
export function dataChunk(f: DataChunkFields): Uint8Array {
  // A DATA chunk without user data makes the receiver abort the association.
  if (f.data.length === 0) throw new RangeError('DATA chunk needs user data');
  const c = new Uint8Array(roundUp4(16 + f.data.length));
  c[0] = SCTP_CHUNK.data;
  c[1] = dataFlags(f);
  putU16(c, 2, 16 + f.data.length);
  putU32(c, 4, f.tsn);
  putU16(c, 8, f.streamId);
  putU16(c, 10, f.ssn);
  putU32(c, 12, f.ppid);
  c.set(f.data, 16);
  return c;
}

/** Fields of an I-DATA chunk. */
export interface IDataChunkFields extends DataFlags {
  readonly tsn: number;
  readonly streamId: number;
  /** Message Identifier, shared by all fragments of the message. */
  readonly mid: number;
  /** The PPID; written only in the first fragment (B set). */
  readonly ppid: number;
  /** Fragment Sequence Number; written only when B is clear (the first fragment is FSN 0). */
  readonly fsn: number;
  readonly data: Uint8Array;
}

/** An I-DATA chunk (RFC 8260 §2.1): 20-octet header whose last word is the PPID (B) or the FSN. */
export function iDataChunk(f: IDataChunkFields): Uint8Array {
  if (f.data.length === 0) throw new RangeError('I-DATA chunk needs user data');
  const c = new Uint8Array(roundUp4(20 + f.data.length));
  c[0] = SCTP_CHUNK.iData;
  c[1] = dataFlags(f);
  putU16(c, 2, 20 + f.data.length);
  putU32(c, 4, f.tsn);
  putU16(c, 8, f.streamId);
  // Octets 10–11 are reserved.
  putU32(c, 12, f.mid);
  putU32(c, 16, f.begin ? f.ppid : f.fsn);
  c.set(f.data, 20);
  return c;
}

/** The fixed part of INIT and INIT ACK (RFC 9260 §3.3.2, §3.3.3). */
export interface InitFields {
  /** The tag the peer must put into every packet it sends to this endpoint; never 0. */
  readonly initiateTag: number;
  readonly advertisedWindow: number;
  readonly outboundStreams: number;
  readonly inboundStreams: number;
  readonly initialTsn: number;
  /** Already built parameters ({@link sctpParameter}), in order. */
  readonly parameters?: readonly Uint8Array[];
}

function initLike(type: number, f: InitFields): Uint8Array {
  checkUint('Initiate Tag', f.initiateTag, 0xffffffff);
  // Tag 0 is reserved for the packet carrying INIT, never a chosen tag.
  if (f.initiateTag === 0) throw new RangeError('Initiate Tag must not be 0');
  const fixed = new Uint8Array(16);
  putU32(fixed, 0, f.initiateTag);
  putU32(fixed, 4, f.advertisedWindow);
  putU16(fixed, 8, f.outboundStreams);
  putU16(fixed, 10, f.inboundStreams);
  putU32(fixed, 12, f.initialTsn);
  const parameters = f.parameters ?? [];
  const value = concatBytes([fixed, ...parameters]);
  // Chunk Length counts the padding of every parameter but the last (RFC 9260 §3.2).
  const last = parameters[parameters.length - 1];
  const trailing = last ? last.length - ((last[2]! << 8) | last[3]!) : 0;
  return sctpChunk(type, 0, value.subarray(0, value.length - trailing));
}

/** INIT (RFC 9260 §3.3.2). */
export function initChunk(f: InitFields): Uint8Array {
  return initLike(SCTP_CHUNK.init, f);
}

/** INIT ACK (RFC 9260 §3.3.3); its parameters must include a State Cookie. */
export function initAckChunk(f: InitFields): Uint8Array {
  return initLike(SCTP_CHUNK.initAck, f);
}

/** COOKIE ECHO carrying the State Cookie of the INIT ACK (RFC 9260 §3.3.11). */
export function cookieEchoChunk(cookie: Uint8Array): Uint8Array {
  return sctpChunk(SCTP_CHUNK.cookieEcho, 0, cookie);
}

/** COOKIE ACK (RFC 9260 §3.3.12). */
export function cookieAckChunk(): Uint8Array {
  return sctpChunk(SCTP_CHUNK.cookieAck, 0, new Uint8Array(0));
}

/** Fields of a SACK chunk. */
export interface SackFields {
  readonly cumulativeTsnAck: number;
  readonly advertisedWindow: number;
  /** Gap Ack Blocks as offsets from the cumulative TSN. */
  readonly gaps?: readonly { readonly start: number; readonly end: number }[];
  readonly duplicateTsns?: readonly number[];
}

/** SACK (RFC 9260 §3.3.4). */
export function sackChunk(f: SackFields): Uint8Array {
  const gaps = f.gaps ?? [];
  const dups = f.duplicateTsns ?? [];
  const v = new Uint8Array(12 + 4 * gaps.length + 4 * dups.length);
  putU32(v, 0, f.cumulativeTsnAck);
  putU32(v, 4, f.advertisedWindow);
  putU16(v, 8, gaps.length);
  putU16(v, 10, dups.length);
  gaps.forEach((g, i) => {
    putU16(v, 12 + 4 * i, g.start);
    putU16(v, 14 + 4 * i, g.end);
  });
  dups.forEach((t, i) => putU32(v, 12 + 4 * gaps.length + 4 * i, t));
  return sctpChunk(SCTP_CHUNK.sack, 0, v);
}

/** HEARTBEAT with its Heartbeat Info parameter (type 1, RFC 9260 §3.3.5). */
export function heartbeatChunk(info: Uint8Array): Uint8Array {
  return sctpChunk(SCTP_CHUNK.heartbeat, 0, sctpParameter(1, info));
}

/** HEARTBEAT ACK echoing the Heartbeat Info (RFC 9260 §3.3.6). */
export function heartbeatAckChunk(info: Uint8Array): Uint8Array {
  return sctpChunk(SCTP_CHUNK.heartbeatAck, 0, sctpParameter(1, info));
}

/** SHUTDOWN with the sender's cumulative TSN ack (RFC 9260 §3.3.8). */
export function shutdownChunk(cumulativeTsnAck: number): Uint8Array {
  const v = new Uint8Array(4);
  putU32(v, 0, cumulativeTsnAck);
  return sctpChunk(SCTP_CHUNK.shutdown, 0, v);
}

/** SHUTDOWN ACK (RFC 9260 §3.3.9). */
export function shutdownAckChunk(): Uint8Array {
  return sctpChunk(SCTP_CHUNK.shutdownAck, 0, new Uint8Array(0));
}

/** SHUTDOWN COMPLETE (RFC 9260 §3.3.13); T set means the packet carries the sender's own tag. */
export function shutdownCompleteChunk(tBit = false): Uint8Array {
  return sctpChunk(SCTP_CHUNK.shutdownComplete, tBit ? 1 : 0, new Uint8Array(0));
}
