/**
 * Fixed-layout parts of RSerPool messages. Callers check bounds before reading.
 *
 * These were first described with binary-parser. Its generated parsers allocate a view and a
 * DataView per call and `delete` two helper properties from each result, which turns every result
 * into a slow dictionary-mode object; at fuzzing rates (every input's header) that cost more than
 * the rest of the header handling. The layouts are small and fixed, so they are read directly.
 */

/** Big-endian 16-bit read (caller guarantees the octets). */
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
/** Big-endian 32-bit read, unsigned (caller guarantees the octets). */
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** The 4-octet common header (RFC 5352 §2.1 / RFC 5353 §2): Type (8), Flags (8), Length (16). */
export interface MessageHeader {
  readonly type: number;
  readonly flags: number;
  readonly length: number;
}

/**
 * The fixed part of a Pool Element parameter after its TLV header (RFC 5354 §3.10): PE Identifier,
 * Home ENRP Server Identifier, Registration Life, 32 bits each.
 */
export interface PoolElementFixed {
  readonly peId: number;
  readonly homeRegistrarId: number;
  readonly registrationLife: number;
}

/**
 * Port (16) and transport-use / reserved word (16) shared by the transport parameters
 * (RFC 5354 §3.3–3.7).
 */
export interface TransportFixed {
  readonly port: number;
  readonly use: number;
}

/** The two server IDs that follow every ENRP header (RFC 5353 §2), 32 bits each. */
export interface EnrpIds {
  readonly senderId: number;
  readonly receiverId: number;
}

/** Size in octets of each layout, for the bounds checks that precede parsing. */
export const LAYOUT_SIZE = Object.freeze({ messageHeader: 4, poolElementFixed: 12, transportFixed: 4, enrpIds: 8 });

/** Parse the common header at `offset` (caller guarantees 4 octets). */
export const readMessageHeader = (b: Uint8Array, o: number): MessageHeader => ({ type: b[o]!, flags: b[o + 1]!, length: u16(b, o + 2) });
/** Parse a Pool Element's fixed part at `offset` (caller guarantees 12 octets). */
export const readPoolElementFixed = (b: Uint8Array, o: number): PoolElementFixed => ({
  peId: u32(b, o),
  homeRegistrarId: u32(b, o + 4),
  registrationLife: u32(b, o + 8),
});
/** Parse a transport parameter's port and use word at `offset` (caller guarantees 4 octets). */
export const readTransportFixed = (b: Uint8Array, o: number): TransportFixed => ({ port: u16(b, o), use: u16(b, o + 2) });
/** Parse the ENRP sender/receiver IDs at `offset` (caller guarantees 8 octets). */
export const readEnrpIds = (b: Uint8Array, o: number): EnrpIds => ({ senderId: u32(b, o), receiverId: u32(b, o + 4) });
