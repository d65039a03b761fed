/**
 * SCTP numbers (RFC 9260 §3.2, §3.3.10) and the protocol constants of RFC 9260 §16 used as
 * defaults.
 */

/** Chunk types (RFC 9260 §3.2). */
export const CHUNK = Object.freeze({
  DATA: 0,
  INIT: 1,
  INIT_ACK: 2,
  SACK: 3,
  HEARTBEAT: 4,
  HEARTBEAT_ACK: 5,
  ABORT: 6,
  SHUTDOWN: 7,
  SHUTDOWN_ACK: 8,
  ERROR: 9,
  COOKIE_ECHO: 10,
  COOKIE_ACK: 11,
  SHUTDOWN_COMPLETE: 14,
} as const);

/** Variable parameters of INIT / INIT ACK (RFC 9260 §3.3.2, §3.3.3). */
export const PARAM = Object.freeze({
  HEARTBEAT_INFO: 1,
  IPV4: 5,
  IPV6: 6,
  STATE_COOKIE: 7,
  UNRECOGNIZED: 8,
  COOKIE_PRESERVATIVE: 9,
  HOST_NAME: 11,
  SUPPORTED_ADDRESS_TYPES: 12,
} as const);

/** Error cause codes (RFC 9260 §3.3.10). */
export const CAUSE = Object.freeze({
  INVALID_STREAM: 1,
  MISSING_PARAMETER: 2,
  STALE_COOKIE: 3,
  OUT_OF_RESOURCE: 4,
  UNRESOLVABLE_ADDRESS: 5,
  UNRECOGNIZED_CHUNK: 6,
  INVALID_PARAMETER: 7,
  UNRECOGNIZED_PARAMETERS: 8,
  NO_USER_DATA: 9,
  COOKIE_WHILE_SHUTTING_DOWN: 10,
  RESTART_NEW_ADDRESSES: 11,
  USER_ABORT: 12,
  PROTOCOL_VIOLATION: 13,
} as const);

/** DATA chunk flags (RFC 9260 §3.3.1). */
export const DATA_FLAG = Object.freeze({ END: 1, BEGIN: 2, UNORDERED: 4, IMMEDIATE: 8 } as const);

/** The T bit of ABORT and SHUTDOWN COMPLETE: the tag is the receiver's own (RFC 9260 §3.3.7). */
export const T_BIT = 1;

/** The IANA port of SCTP over UDP (RFC 6951 §5.1). */
export const SCTP_UDP_PORT = 9899;

/** Bytes of the SCTP common header. */
export const COMMON_HEADER = 12;
/** Bytes of a DATA chunk header (chunk header + TSN, stream, SSN, PPID). */
export const DATA_HEADER = 16;
