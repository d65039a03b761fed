/**
 * Integer reads on byte arrays. Callers check bounds first: these helpers assume the octets exist,
 * which keeps the per-packet hot path free of DataView allocations.
 */

/** Unsigned 16-bit big-endian at `off`. */
export function u16be(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** Unsigned 16-bit little-endian at `off`. */
export function u16le(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

/** Unsigned 32-bit big-endian at `off`. */
export function u32be(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** Unsigned 32-bit little-endian at `off`. */
export function u32le(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

/** Unsigned 16-bit in the given byte order. */
export function u16(b: Uint8Array, off: number, littleEndian: boolean): number {
  return littleEndian ? u16le(b, off) : u16be(b, off);
}

/** Unsigned 32-bit in the given byte order. */
export function u32(b: Uint8Array, off: number, littleEndian: boolean): number {
  return littleEndian ? u32le(b, off) : u32be(b, off);
}

/** Signed 64-bit in the given byte order, as a bigint (pcapng `if_tsoffset`, section length). */
export function i64(b: Uint8Array, off: number, littleEndian: boolean): bigint {
  const lo = BigInt(u32(b, littleEndian ? off : off + 4, littleEndian));
  const hi = BigInt(u32(b, littleEndian ? off + 4 : off, littleEndian));
  return BigInt.asIntN(64, (hi << 32n) | lo);
}

/** Rounds a length up to the next multiple of 4 (SCTP chunks, pcapng options and blocks). */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}
