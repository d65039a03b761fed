/**
 * Octet-level helpers for building packets: joining parts and writing big-endian integers.
 * Writers preallocate and fill in place, so a packet costs one allocation per layer.
 */

/** Joins byte strings into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Writes an unsigned 16-bit big-endian value at `off`. */
export function putU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/** Writes an unsigned 32-bit big-endian value at `off`. */
export function putU32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** Rounds a length up to a multiple of 4 (SCTP chunks and parameters, pcapng blocks and options). */
export function roundUp4(n: number): number {
  return (n + 3) & ~3;
}

/** Checks that `v` is an integer in [0, max]; the message names the field for the caller's error. */
export function checkUint(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} ${v} is not an integer in 0..${max}`);
}
