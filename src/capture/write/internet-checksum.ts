/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * big-endian words. IPv4 headers and UDP (with its pseudo-header) use it.
 */

/** Adds `data[start, end)` to a running (unfolded) sum; an odd tail octet counts as a high byte. */
export function onesSum(sum: number, data: Uint8Array, start = 0, end = data.length): number {
  let s = sum;
  let i = start;
  for (; i + 1 < end; i += 2) s += (data[i]! << 8) | data[i + 1]!;
  if (i < end) s += data[i]! << 8;
  // Fold now and then so the sum stays a small integer whatever the length.
  return (s & 0xffff) + Math.floor(s / 0x10000);
}

/** Folds a running sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** The Internet checksum of `data[start, end)`. */
export function internetChecksum(data: Uint8Array, start = 0, end = data.length): number {
  return finishChecksum(onesSum(0, data, start, end));
}
