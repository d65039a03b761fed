/**
 * SCTP packets: the common header (RFC 9260 §3.1) followed by bundled chunks, with the CRC32c
 * computed over the whole packet and stored least-significant octet first (transports.md §5.7).
 */
import { writeSctpChecksum } from '../crc32c.js';
import { checkUint, putU16, putU32 } from './octets.js';

/** Octets of the SCTP common header. */
export const SCTP_COMMON_HEADER = 12;

/** The common header of an SCTP packet. */
export interface SctpCommonHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  /** The receiver's tag (0 only in the packet carrying INIT). */
  readonly verificationTag: number;
}

/** Builds an SCTP packet from already padded chunks and fills in its CRC32c. */
export function sctpPacket(h: SctpCommonHeader, chunks: readonly Uint8Array[]): Uint8Array {
  checkUint('SCTP source port', h.srcPort, 0xffff);
  checkUint('SCTP destination port', h.dstPort, 0xffff);
  checkUint('verification tag', h.verificationTag, 0xffffffff);
  let length = SCTP_COMMON_HEADER;
  for (const c of chunks) length += c.length;
  const p = new Uint8Array(length);
  putU16(p, 0, h.srcPort);
  putU16(p, 2, h.dstPort);
  putU32(p, 4, h.verificationTag);
  let at = SCTP_COMMON_HEADER;
  for (const c of chunks) {
    p.set(c, at);
    at += c.length;
  }
  writeSctpChecksum(p);
  return p;
}
