/**
 * The ENRP PE checksum (RFC 5353 §3.6.2; rsplib `poolhandlespacechecksum.c`), as
 * `registrar-behaviour.md` §9 defines it to the byte.
 *
 * Each PE contributes the plain sum of the 16-bit big-endian words of its pool handle (padded
 * with one zero octet to even length) followed by its PE ID. Per owner, the contributions are
 * summed *unfolded* modulo 2^32, exactly like rsplib's 32-bit accumulator, so adding and
 * subtracting are exact and can be done incrementally; folding and complementing happen only
 * when the 16-bit value is asked for.
 */

/** Sum of the 16-bit big-endian words of a pool handle, padded to even length. */
export function poolHandleWordSum(handle: Uint8Array): number {
  let sum = 0;
  const even = handle.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (handle[i] << 8) | handle[i + 1];
  // An odd-length handle is padded with a zero octet, so its last octet is a high byte.
  if (even !== handle.length) sum += handle[even] << 8;
  return sum;
}

/** One PE's unfolded contribution, from its handle's word sum and its PE ID. */
export function peChecksumWords(handleWordSum: number, peId: number): number {
  return (handleWordSum + (peId >>> 16) + (peId & 0xffff)) >>> 0;
}

/** Adds a contribution to an unfolded accumulator, modulo 2^32 like rsplib. */
export function checksumAdd(accumulator: number, words: number): number {
  return (accumulator + words) >>> 0;
}

/** Removes a contribution from an unfolded accumulator, modulo 2^32. */
export function checksumSub(accumulator: number, words: number): number {
  return (accumulator - words) >>> 0;
}

/** Folds an unfolded accumulator to 16 bits and complements it: the value sent in Presence. */
export function finishChecksum(accumulator: number): number {
  let s = accumulator >>> 0;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** A PE as far as the checksum is concerned. */
export interface ChecksumSubject {
  readonly poolHandle: Uint8Array;
  readonly peId: number;
}

/** From-scratch checksum over a set of PEs (what a peer compares against; §9). */
export function computeChecksum(elements: Iterable<ChecksumSubject>): number {
  let acc = 0;
  for (const e of elements) acc = checksumAdd(acc, peChecksumWords(poolHandleWordSum(e.poolHandle), e.peId));
  return finishChecksum(acc);
}

/** One owner's unfolded sum and PE count. */
interface OwnerRecord {
  sum: number;
  count: number;
}

/** Per-owner unfolded sums and PE counts, updated on every ownership change. */
export class OwnerChecksums {
  private readonly records = new Map<number, OwnerRecord>();
  // Most changes concern the owner of the previous change (a registrar's own PEs), so the last
  // record found is kept at hand.
  private lastOwner = -1;
  private lastRecord: OwnerRecord | undefined = undefined;

  private record(owner: number): OwnerRecord | undefined {
    if (owner === this.lastOwner) return this.lastRecord;
    const r = this.records.get(owner);
    if (r !== undefined) {
      this.lastOwner = owner;
      this.lastRecord = r;
    }
    return r;
  }

  /** Accounts a PE of `owner` with the given contribution. */
  add(owner: number, words: number): void {
    const r = this.record(owner);
    if (r === undefined) {
      this.records.set(owner, { sum: words >>> 0, count: 1 });
    } else {
      r.sum = checksumAdd(r.sum, words);
      r.count++;
    }
  }

  /** Removes a PE of `owner`; owners left without PEs are forgotten. */
  sub(owner: number, words: number): void {
    const r = this.record(owner);
    if (r === undefined) throw new Error(`owner ${owner} has no PEs`);
    if (--r.count === 0) {
      this.records.delete(owner);
      if (owner === this.lastOwner) {
        this.lastOwner = -1;
        this.lastRecord = undefined;
      }
    } else {
      r.sum = checksumSub(r.sum, words);
    }
  }

  /** The unfolded accumulator of `owner` (0 if it owns nothing). */
  accumulator(owner: number): number {
    return this.records.get(owner)?.sum ?? 0;
  }

  /** The 16-bit checksum of `owner` (0xFFFF if it owns nothing). */
  checksum(owner: number): number {
    return finishChecksum(this.accumulator(owner));
  }

  /** Number of PEs `owner` has. */
  count(owner: number): number {
    return this.records.get(owner)?.count ?? 0;
  }

  /** Owners with at least one PE. */
  owners(): IterableIterator<number> {
    return this.records.keys();
  }
}
