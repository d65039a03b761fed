/**
 * Fixed-layout parts of RSerPool messages, described once with binary-parser.
 * Callers check bounds before parsing, so binary-parser's own RangeError can never escape.
 */
import { Parser } from 'binary-parser';

/** The 4-octet common header (RFC 5352 §2.1 / RFC 5353 §2). */
export interface MessageHeader {
  readonly type: number;
  readonly flags: number;
  readonly length: number;
}
const messageHeaderParser = new Parser().endianness('big').uint8('type').uint8('flags').uint16('length');

/** The fixed part of a Pool Element parameter after its TLV header (RFC 5354 §3.10). */
export interface PoolElementFixed {
  readonly peId: number;
  readonly homeRegistrarId: number;
  readonly registrationLife: number;
}
const poolElementFixedParser = new Parser()
  .endianness('big')
  .uint32('peId')
  .uint32('homeRegistrarId')
  .uint32('registrationLife');

/** Port and transport-use / reserved word shared by the transport parameters (RFC 5354 §3.3–3.7). */
export interface TransportFixed {
  readonly port: number;
  readonly use: number;
}
const transportFixedParser = new Parser().endianness('big').uint16('port').uint16('use');

/** The two server IDs that follow every ENRP header (RFC 5353 §2). */
export interface EnrpIds {
  readonly senderId: number;
  readonly receiverId: number;
}
const enrpIdsParser = new Parser().endianness('big').uint32('senderId').uint32('receiverId');

/** Size in octets of each layout, for the bounds checks that precede parsing. */
export const LAYOUT_SIZE = Object.freeze({ messageHeader: 4, poolElementFixed: 12, transportFixed: 4, enrpIds: 8 });

function run<T>(parser: Parser, bytes: Uint8Array, offset: number, size: number): T {
  return parser.parse(bytes.subarray(offset, offset + size)) as T;
}

/** Parse the common header at `offset` (caller guarantees 4 octets). */
export const readMessageHeader = (b: Uint8Array, o: number): MessageHeader =>
  run(messageHeaderParser, b, o, LAYOUT_SIZE.messageHeader);
/** Parse a Pool Element's fixed part at `offset` (caller guarantees 12 octets). */
export const readPoolElementFixed = (b: Uint8Array, o: number): PoolElementFixed =>
  run(poolElementFixedParser, b, o, LAYOUT_SIZE.poolElementFixed);
/** Parse a transport parameter's port and use word at `offset` (caller guarantees 4 octets). */
export const readTransportFixed = (b: Uint8Array, o: number): TransportFixed =>
  run(transportFixedParser, b, o, LAYOUT_SIZE.transportFixed);
/** Parse the ENRP sender/receiver IDs at `offset` (caller guarantees 8 octets). */
export const readEnrpIds = (b: Uint8Array, o: number): EnrpIds => run(enrpIdsParser, b, o, LAYOUT_SIZE.enrpIds);
