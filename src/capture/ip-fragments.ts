/**
 * IP fragment reassembly (transports.md §5.4–§5.5): fragments of one datagram share
 * (source, destination, protocol, Identification) in IPv4 and (source, destination,
 * Identification) in IPv6. Memory is capped: the oldest unfinished datagram is given up first.
 */
import type { CaptureTimestamp } from './capture-record.js';

/** Largest reassembled payload: offsets are 13 bits of 8-octet units and lengths 16 bits. */
export const MAX_REASSEMBLED_PAYLOAD = 65535;

/** One fragment as handed to {@link IpFragmentReassembler.add}. */
export interface IpFragment {
  readonly version: 4 | 6;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly id: number;
  /** IPv4 protocol, or the IPv6 Fragment header's Next Header. */
  readonly protocol: number;
  readonly offset: number;
  readonly more: boolean;
  /** Fragment data; copied by the reassembler. */
  readonly payload: Uint8Array;
  readonly frame: number;
  readonly timestamp: CaptureTimestamp;
}

/** A datagram put back together. */
export interface ReassembledDatagram {
  readonly version: 4 | 6;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly id: number;
  /** IPv4 protocol, or the Next Header of the first fragment's Fragment header. */
  readonly protocol: number;
  readonly payload: Uint8Array;
  /** Frames of all fragments, ascending. */
  readonly frames: number[];
  /** Timestamp of the fragment that completed it. */
  readonly timestamp: CaptureTimestamp;
}

/** A datagram given up, with the frames that carried its fragments. */
export interface AbandonedDatagram {
  readonly version: 4 | 6;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly id: number;
  readonly protocol: number;
  readonly frames: number[];
  readonly bytes: number;
  /** `incomplete`: end of input with fragments missing; `evicted`: memory cap reached. */
  readonly reason: 'incomplete' | 'evicted';
}

/** Result of adding a fragment. */
export type FragmentOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'complete'; readonly datagram: ReassembledDatagram }
  /** The fragment reaches past {@link MAX_REASSEMBLED_PAYLOAD} or contradicts the known end. */
  | { readonly kind: 'rejected'; readonly detail: string };

interface Piece {
  readonly offset: number;
  readonly data: Uint8Array;
}

interface Entry {
  readonly version: 4 | 6;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly id: number;
  protocol: number;
  protocolKnown: boolean;
  readonly pieces: Piece[];
  /** Payload length once the last fragment (more = false) is seen; -1 before. */
  total: number;
  readonly frames: number[];
  bytes: number;
}

/** Limits of an {@link IpFragmentReassembler}. */
export interface IpFragmentLimits {
  /** Unfinished datagrams held at once. */
  readonly maxDatagrams: number;
  /** Fragment octets held at once. */
  readonly maxBytes: number;
}

/** Collects fragments and returns whole datagrams. */
export class IpFragmentReassembler {
  private readonly entries = new Map<string, Entry>();
  private heldBytes = 0;

  constructor(
    private readonly limits: IpFragmentLimits,
    /** Told about every datagram given up because of the caps. */
    private readonly onAbandon: (d: AbandonedDatagram) => void,
  ) {}

  /** Adds one fragment. */
  add(f: IpFragment): FragmentOutcome {
    const end = f.offset + f.payload.length;
    if (end > MAX_REASSEMBLED_PAYLOAD) return { kind: 'rejected', detail: `fragment ends at ${end}, past ${MAX_REASSEMBLED_PAYLOAD}` };
    if (f.more && f.payload.length === 0) return { kind: 'rejected', detail: 'empty fragment that is not the last' };
    const key = keyOf(f);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        version: f.version,
        src: f.src.slice(),
        dst: f.dst.slice(),
        id: f.id,
        protocol: f.protocol,
        protocolKnown: f.version === 4 || f.offset === 0,
        pieces: [],
        total: -1,
        frames: [],
        bytes: 0,
      };
      this.entries.set(key, entry);
    }
    if (!f.more) {
      if (entry.total >= 0 && entry.total !== end) {
        return { kind: 'rejected', detail: `last fragment ends at ${end}, an earlier one at ${entry.total}` };
      }
      entry.total = end;
    }
    if (f.version === 6 && f.offset === 0) {
      entry.protocol = f.protocol;
      entry.protocolKnown = true;
    }
    if (!entry.pieces.some((p) => p.offset === f.offset && p.data.length === f.payload.length)) {
      entry.pieces.push({ offset: f.offset, data: f.payload.slice() });
      entry.bytes += f.payload.length;
      this.heldBytes += f.payload.length;
    }
    if (!entry.frames.includes(f.frame)) entry.frames.push(f.frame);

    const payload = assemble(entry);
    if (payload) {
      this.remove(key, entry);
      entry.frames.sort((a, b) => a - b);
      return {
        kind: 'complete',
        datagram: {
          version: entry.version,
          src: entry.src,
          dst: entry.dst,
          id: entry.id,
          protocol: entry.protocol,
          payload,
          frames: entry.frames,
          timestamp: f.timestamp,
        },
      };
    }
    this.enforceLimits();
    return { kind: 'pending' };
  }

  /** Gives up every unfinished datagram (end of input). */
  drain(): AbandonedDatagram[] {
    const out = [...this.entries.values()].map((e) => abandoned(e, 'incomplete'));
    this.entries.clear();
    this.heldBytes = 0;
    return out;
  }

  private enforceLimits(): void {
    // Map iteration follows insertion order, so the first key is the oldest datagram.
    while (this.entries.size > this.limits.maxDatagrams || this.heldBytes > this.limits.maxBytes) {
      const [key, entry] = this.entries.entries().next().value as [string, Entry];
      this.remove(key, entry);
      this.onAbandon(abandoned(entry, 'evicted'));
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }
}

function keyOf(f: IpFragment): string {
  // IPv4 includes the protocol in the key; IPv6 carries it only in the first fragment.
  const proto = f.version === 4 ? f.protocol : -1;
  return `${f.version}|${hex(f.src)}|${hex(f.dst)}|${proto}|${f.id}`;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The payload if every octet from 0 to the known end is covered, else null. */
function assemble(e: Entry): Uint8Array | null {
  if (e.total < 0 || !e.protocolKnown) return null;
  const sorted = [...e.pieces].sort((a, b) => a.offset - b.offset);
  let covered = 0;
  for (const p of sorted) {
    if (p.offset > covered) return null;
    covered = Math.max(covered, p.offset + p.data.length);
  }
  if (covered < e.total) return null;
  const out = new Uint8Array(e.total);
  // Copy newest first so that, where fragments overlap, the first to arrive wins.
  for (let i = e.pieces.length - 1; i >= 0; i--) {
    const p = e.pieces[i]!;
    if (p.offset >= e.total) continue;
    out.set(p.data.subarray(0, Math.max(0, Math.min(p.data.length, e.total - p.offset))), p.offset);
  }
  return out;
}

function abandoned(e: Entry, reason: AbandonedDatagram['reason']): AbandonedDatagram {
  const frames = [...e.frames].sort((a, b) => a - b);
  return { version: e.version, src: e.src, dst: e.dst, id: e.id, protocol: e.protocol, frames, bytes: e.bytes, reason };
}
