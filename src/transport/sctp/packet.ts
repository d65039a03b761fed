/**
 * The SCTP packet: common header and a list of chunks (RFC 9260 §3). The CRC32c is the one of
 * RFC 9260 appendix A, stored least-significant octet first (transports.md §4.1); inside UDP
 * (RFC 6951) nothing about it changes.
 */
import { verifySctpChecksum, writeSctpChecksum } from '../../capture/index.js';
import { COMMON_HEADER } from './constants.js';
import { SCTP_ERR, SctpError } from './errors.js';

/** A chunk as on the wire; `value` excludes the 4-octet chunk header and the padding. */
export interface RawChunk {
  readonly type: number;
  readonly flags: number;
  readonly value: Uint8Array;
}

/** A decoded SCTP packet. */
export interface SctpPacket {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly vtag: number;
  readonly chunks: readonly RawChunk[];
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Octets a chunk with `valueLength` value octets takes in a packet, padding included. */
export function chunkWireSize(valueLength: number): number {
  return pad4(4 + valueLength);
}

/** Encodes a packet and stores its CRC32c. */
export function encodePacket(p: SctpPacket): Uint8Array {
  let size = COMMON_HEADER;
  for (const c of p.chunks) size += chunkWireSize(c.value.length);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, p.srcPort);
  dv.setUint16(2, p.dstPort);
  dv.setUint32(4, p.vtag >>> 0);
  let o = COMMON_HEADER;
  for (const c of p.chunks) {
    out[o] = c.type;
    out[o + 1] = c.flags;
    dv.setUint16(o + 2, 4 + c.value.length);
    out.set(c.value, o + 4);
    o += chunkWireSize(c.value.length);
  }
  writeSctpChecksum(out);
  return out;
}

/**
 * Decodes a packet. Throws {@link SctpError} `RSP_ERR_SCTP_BAD_CHECKSUM` when the CRC32c does not
 * match (RFC 9260 §6.8: silently discard — the caller drops it) and `RSP_ERR_SCTP_MALFORMED_PACKET`
 * for a broken chunk layout.
 */
export function decodePacket(bytes: Uint8Array): SctpPacket {
  if (bytes.length < COMMON_HEADER + 4) throw new SctpError(SCTP_ERR.malformed, `packet of ${bytes.length} octets is too short`);
  if (!verifySctpChecksum(bytes)) throw new SctpError(SCTP_ERR.checksum, 'CRC32c mismatch');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: RawChunk[] = [];
  let o = COMMON_HEADER;
  while (o + 4 <= bytes.length) {
    const len = dv.getUint16(o + 2);
    if (len < 4 || o + len > bytes.length) throw new SctpError(SCTP_ERR.malformed, `chunk at ${o} has bad length ${len}`);
    chunks.push({ type: bytes[o]!, flags: bytes[o + 1]!, value: bytes.subarray(o + 4, o + len) });
    o += pad4(len);
  }
  if (chunks.length === 0) throw new SctpError(SCTP_ERR.malformed, 'packet without chunks');
  return { srcPort: dv.getUint16(0), dstPort: dv.getUint16(2), vtag: dv.getUint32(4), chunks };
}
