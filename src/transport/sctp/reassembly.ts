/**
 * The receive side of an association: which TSNs arrived (for SACK gap blocks and duplicate
 * reports, RFC 9260 §6.2), reassembly of fragmented messages (§6.9) and ordered / unordered
 * delivery per stream (§6.5, §6.6).
 */
import type { DataChunk } from './chunks.js';
import { tsnAdd, tsnDiff, tsnLe } from './serial.js';

/** A whole user message. */
export interface ReceivedMessage {
  readonly streamId: number;
  readonly ppid: number;
  readonly unordered: boolean;
  readonly bytes: Uint8Array;
}

/** Outcome of offering one DATA chunk. */
export type Offer = 'new' | 'duplicate' | 'dropped';

/** Most duplicate TSNs remembered for the next SACK. */
const MAX_DUPLICATES = 32;
/** Most gap blocks put in one SACK. */
const MAX_GAPS = 64;

/** Receive state of one association. */
export class ReceiveBuffer {
  /** Highest TSN below which everything arrived. */
  cumulativeTsn: number;
  /** TSNs above the cumulative one that arrived, unsorted. */
  private readonly above = new Set<number>();
  private duplicates: number[] = [];
  private readonly fragments = new Map<number, DataChunk>();
  /** Per stream: next expected SSN and complete ordered messages waiting for it. */
  private readonly streams = new Map<number, { next: number; waiting: Map<number, ReceivedMessage> }>();
  private held = 0;

  constructor(
    peerInitialTsn: number,
    /** Receive buffer size, octets: what a_rwnd advertises when empty. */
    readonly capacity: number,
  ) {
    this.cumulativeTsn = tsnAdd(peerInitialTsn, -1);
  }

  /** Octets held (fragments and ordered messages waiting for an earlier one). */
  get bufferedBytes(): number {
    return this.held;
  }

  /** The advertised receiver window (§6.2: buffer space left). */
  get aRwnd(): number {
    return Math.max(0, this.capacity - this.held);
  }

  /** True when TSNs above the cumulative one are outstanding (a gap exists). */
  get hasGaps(): boolean {
    return this.above.size > 0;
  }

  /** Offers one DATA chunk; complete messages go to `deliver`. */
  offer(d: DataChunk, deliver: (m: ReceivedMessage) => void): Offer {
    if (tsnLe(d.tsn, this.cumulativeTsn) || this.above.has(d.tsn)) {
      if (this.duplicates.length < MAX_DUPLICATES) this.duplicates.push(d.tsn);
      return 'duplicate';
    }
    // §6.2: with no room, drop what does not advance the cumulative TSN; the sender retransmits.
    if (this.held + d.payload.length > this.capacity && d.tsn !== tsnAdd(this.cumulativeTsn, 1)) return 'dropped';
    this.above.add(d.tsn);
    while (this.above.delete(tsnAdd(this.cumulativeTsn, 1))) this.cumulativeTsn = tsnAdd(this.cumulativeTsn, 1);
    this.fragments.set(d.tsn, d);
    this.held += d.payload.length;
    this.reassemble(d, deliver);
    return 'new';
  }

  /**
   * Records a TSN as received without data to deliver (DATA on an invalid stream must still be
   * acknowledged, RFC 9260 §6.5). Returns false for a duplicate.
   */
  markReceived(tsn: number): boolean {
    if (tsnLe(tsn, this.cumulativeTsn) || this.above.has(tsn)) return false;
    this.above.add(tsn);
    while (this.above.delete(tsnAdd(this.cumulativeTsn, 1))) this.cumulativeTsn = tsnAdd(this.cumulativeTsn, 1);
    return true;
  }

  /** Gap ack blocks (offsets from the cumulative TSN) and duplicates since the last call. */
  takeSackInfo(): { gaps: [number, number][]; duplicates: number[] } {
    const offsets = [...this.above].map((t) => tsnDiff(t, this.cumulativeTsn)).sort((a, b) => a - b);
    const gaps: [number, number][] = [];
    for (const off of offsets) {
      const last = gaps[gaps.length - 1];
      if (last !== undefined && last[1] + 1 === off) last[1] = off;
      else if (gaps.length < MAX_GAPS && off <= 0xffff) gaps.push([off, off]);
    }
    const duplicates = this.duplicates;
    this.duplicates = [];
    return { gaps, duplicates };
  }

  /** Fragments of one message have consecutive TSNs (§6.9); find B..E around `d`. */
  private reassemble(d: DataChunk, deliver: (m: ReceivedMessage) => void): void {
    const same = (c: DataChunk | undefined): c is DataChunk =>
      c !== undefined && c.streamId === d.streamId && c.unordered === d.unordered && (d.unordered || c.ssn === d.ssn);
    let first = d.tsn;
    for (let c: DataChunk | undefined = d; !c.begin; ) {
      const prev: DataChunk | undefined = this.fragments.get(tsnAdd(first, -1));
      if (!same(prev)) return;
      first = tsnAdd(first, -1);
      c = prev;
    }
    let last = d.tsn;
    for (let c: DataChunk | undefined = d; !c.end; ) {
      const next: DataChunk | undefined = this.fragments.get(tsnAdd(last, 1));
      if (!same(next)) return;
      last = tsnAdd(last, 1);
      c = next;
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let t = first; ; t = tsnAdd(t, 1)) {
      const c = this.fragments.get(t)!;
      this.fragments.delete(t);
      parts.push(c.payload);
      size += c.payload.length;
      if (t === last) break;
    }
    const bytes = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    const message: ReceivedMessage = { streamId: d.streamId, ppid: d.ppid, unordered: d.unordered, bytes };
    if (d.unordered) {
      this.held -= size;
      deliver(message);
      return;
    }
    let stream = this.streams.get(d.streamId);
    if (stream === undefined) {
      stream = { next: 0, waiting: new Map() };
      this.streams.set(d.streamId, stream);
    }
    stream.waiting.set(d.ssn, message);
    for (let m = stream.waiting.get(stream.next); m !== undefined; m = stream.waiting.get(stream.next)) {
      stream.waiting.delete(stream.next);
      stream.next = (stream.next + 1) & 0xffff;
      this.held -= m.bytes.length;
      deliver(m);
    }
  }
}
