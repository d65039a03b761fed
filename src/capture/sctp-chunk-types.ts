/**
 * SCTP chunk types and the flag bits of DATA / I-DATA (RFC 9260 §3.2, RFC 8260, RFC 4895,
 * RFC 5061, RFC 6525, RFC 3758, RFC 4820; transports.md §5.7).
 */

/** Chunk type numbers. */
export const SCTP_CHUNK = Object.freeze({
  data: 0,
  init: 1,
  initAck: 2,
  sack: 3,
  heartbeat: 4,
  heartbeatAck: 5,
  abort: 6,
  shutdown: 7,
  shutdownAck: 8,
  error: 9,
  cookieEcho: 10,
  cookieAck: 11,
  ecne: 12,
  cwr: 13,
  shutdownComplete: 14,
  auth: 15,
  nrSack: 16,
  iData: 64,
  asconfAck: 128,
  reConfig: 130,
  pad: 132,
  forwardTsn: 192,
  asconf: 193,
  iForwardTsn: 194,
} as const);

/** Display name of every known chunk type (as in the transports.md §5.7 table). */
export const SCTP_CHUNK_NAME: ReadonlyMap<number, string> = new Map([
  [0, 'DATA'],
  [1, 'INIT'],
  [2, 'INIT ACK'],
  [3, 'SACK'],
  [4, 'HEARTBEAT'],
  [5, 'HEARTBEAT ACK'],
  [6, 'ABORT'],
  [7, 'SHUTDOWN'],
  [8, 'SHUTDOWN ACK'],
  [9, 'ERROR'],
  [10, 'COOKIE ECHO'],
  [11, 'COOKIE ACK'],
  [12, 'ECNE'],
  [13, 'CWR'],
  [14, 'SHUTDOWN COMPLETE'],
  [15, 'AUTH'],
  [16, 'NR-SACK'],
  [64, 'I-DATA'],
  [128, 'ASCONF-ACK'],
  [130, 'RE-CONFIG'],
  [132, 'PAD'],
  [192, 'FORWARD-TSN'],
  [193, 'ASCONF'],
  [194, 'I-FORWARD-TSN'],
]);

/** Name of a chunk type; unknown types read `UNKNOWN(0xNN)`. */
export function sctpChunkName(type: number): string {
  return SCTP_CHUNK_NAME.get(type) ?? `UNKNOWN(0x${type.toString(16).padStart(2, '0')})`;
}

/**
 * What a receiver does with an unknown chunk type, from its two high bits (RFC 9260 §3.2):
 * 00 stop processing the packet, 01 stop and report, 10 skip the chunk, 11 skip and report.
 */
export function unknownChunkStops(type: number): boolean {
  return (type & 0x80) === 0;
}

/** Flag bits of DATA and I-DATA (RFC 9260 §3.3.1, RFC 8260 §2.1). */
export const DATA_FLAG = Object.freeze({
  /** Last fragment of a user message. */
  end: 0x01,
  /** First fragment of a user message. */
  begin: 0x02,
  /** Unordered delivery. */
  unordered: 0x04,
  /** Sender asks for an immediate SACK. */
  immediate: 0x08,
} as const);

/** Flag bit T of ABORT and SHUTDOWN COMPLETE: the verification tag is the sender's own. */
export const T_BIT = 0x01;

/** Fixed header lengths of the chunks the reader looks inside. */
export const CHUNK_HEADER = Object.freeze({ data: 16, iData: 20, init: 20 } as const);
