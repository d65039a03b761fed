/**
 * CRC32c (Castagnoli), as SCTP uses it (RFC 9260 appendix B; transports.md §5.7): reflected
 * polynomial 0x82F63B78, register preset to all ones, result inverted. The check value of the
 * ASCII string "123456789" is 0xE3069283.
 *
 * Slicing-by-8: eight 256-entry tables let the inner loop fold eight octets per step, which is
 * several times faster than the one-octet loop in JavaScript. Exported for the userland SCTP stack.
 */

/** The reflected Castagnoli polynomial. */
export const CRC32C_POLYNOMIAL = 0x82f63b78;

const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLYNOMIAL : c >>> 1;
    t[n] = c;
  }
  // Table k advances a byte that sits k positions before the end of an 8-octet block.
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

/**
 * Feeds `data[start, end)` into a running CRC32c. Start with `crc = 0`; the value returned after
 * the last piece is the final CRC (pre- and post-inversion are handled here, so pieces chain).
 */
export function crc32cUpdate(crc: number, data: Uint8Array, start = 0, end = data.length): number {
  const t = TABLES;
  let c = ~crc;
  let i = start;
  const stop8 = end - 8;
  while (i <= stop8) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c =
      t[7 * 256 + (c & 0xff)]! ^
      t[6 * 256 + ((c >>> 8) & 0xff)]! ^
      t[5 * 256 + ((c >>> 16) & 0xff)]! ^
      t[4 * 256 + (c >>> 24)]! ^
      t[3 * 256 + (hi & 0xff)]! ^
      t[2 * 256 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
    i += 8;
  }
  while (i < end) c = t[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC32c of `data[start, end)`. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return crc32cUpdate(0, data, start, end);
}

const ZERO_CHECKSUM = new Uint8Array(4);

/**
 * The CRC32c an SCTP packet should carry: computed over the whole packet (common header and
 * chunks) with the checksum field (octets 8–11) taken as zero. The packet is not modified.
 * The caller ensures `packet.length >= 12`.
 */
export function sctpChecksum(packet: Uint8Array): number {
  let crc = crc32cUpdate(0, packet, 0, 8);
  crc = crc32cUpdate(crc, ZERO_CHECKSUM, 0, 4);
  return crc32cUpdate(crc, packet, 12, packet.length);
}

/**
 * The checksum stored in an SCTP common header. SCTP stores the CRC32c least-significant octet
 * first (transports.md §5.7, checked against tshark), so the field reads as little-endian.
 */
export function storedSctpChecksum(packet: Uint8Array): number {
  return (packet[8]! | (packet[9]! << 8) | (packet[10]! << 16) | (packet[11]! << 24)) >>> 0;
}

/** True when the stored SCTP checksum matches the computed one. */
export function verifySctpChecksum(packet: Uint8Array): boolean {
  return packet.length >= 12 && storedSctpChecksum(packet) === sctpChecksum(packet);
}

/** Computes and stores the checksum of an SCTP packet in place (least-significant octet first). */
export function writeSctpChecksum(packet: Uint8Array): void {
  const crc = sctpChecksum(packet);
  packet[8] = crc & 0xff;
  packet[9] = (crc >>> 8) & 0xff;
  packet[10] = (crc >>> 16) & 0xff;
  packet[11] = crc >>> 24;
}
