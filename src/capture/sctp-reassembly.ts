/**
 * Rebuilds SCTP user messages from DATA and I-DATA chunks, per association direction
 * (transports.md §5.7).
 *
 * DATA: the fragments of one message carry consecutive TSNs from the B chunk to the E chunk.
 * Pending fragments are kept in runs of consecutive TSNs that never extend past a B (to the left)
 * or an E (to the right), so a run that starts with B and ends with E is exactly one message and
 * every arrival costs O(1), whatever the order.
 *
 * I-DATA (RFC 8260): the fragments of one message share (stream, U flag, MID) and are ordered by
 * FSN; the B fragment has FSN 0 and carries the PPID, the E fragment tells the last FSN.
 *
 * Retransmissions are dropped by TSN. The PPID decides, before anything is buffered, whether the
 * message is wanted at all; unwanted messages are only counted. Held fragments are capped by
 * count and octets: the oldest unfinished message is given up first and reported.
 */
import { DATA_FLAG } from './sctp-chunk-types.js';
import { TsnWindow } from './tsn-window.js';

/** One DATA or I-DATA chunk as the packet parser hands it over. */
export interface DataChunk {
  readonly kind: 'DATA' | 'I-DATA';
  readonly tsn: number;
  readonly flags: number;
  readonly streamId: number;
  /** DATA: Stream Sequence Number. I-DATA: 0. */
  readonly ssn: number;
  /** I-DATA: Message Identifier. DATA: 0. */
  readonly mid: number;
  /** I-DATA without B: Fragment Sequence Number. Otherwise 0. */
  readonly fsn: number;
  /** DATA: always; I-DATA: only in the B fragment (else undefined). */
  readonly ppid: number | undefined;
  /** User data; copied when kept. */
  readonly data: Uint8Array;
  /** Frames that carried the chunk (several when the IP packet was fragmented). */
  readonly frames: readonly number[];
  readonly checksumOk: boolean;
}

/** A whole user message. */
export interface UserMessage {
  readonly kind: 'DATA' | 'I-DATA';
  readonly ppid: number;
  readonly streamId: number;
  readonly unordered: boolean;
  readonly bytes: Uint8Array;
  /** Frames that carried its fragments, ascending. */
  readonly frames: number[];
  /** False when any of those frames failed (or could not get) checksum verification. */
  readonly checksumOk: boolean;
}

/** A message given up. */
export interface IncompleteUserMessage {
  readonly kind: 'DATA' | 'I-DATA';
  readonly streamId: number;
  readonly frames: number[];
  /** Octets of user data held when it was given up. */
  readonly bytes: number;
  /**
   * `missing-fragments`: end of input before all fragments arrived. `evicted`: memory caps.
   * `too-many-fragments`: more fragments than `maxFragmentsPerMessage`. `inconsistent`: the
   * fragments disagree on stream, sequence number or PPID.
   */
  readonly reason: 'missing-fragments' | 'evicted' | 'too-many-fragments' | 'inconsistent';
}

/**
 * Receives what the reassembler finds. `direction` is the key passed to {@link SctpReassembler.add};
 * `C` is whatever context the caller attaches to a chunk.
 */
export interface ReassemblyListener<C> {
  message(direction: string, message: UserMessage, context: C): void;
  /** An unwanted message was seen (counted once, at its B chunk). */
  unwanted(direction: string, ppid: number, frames: readonly number[]): void;
  /** A chunk whose TSN was already seen (or is older than the dedupe window). */
  duplicate(direction: string, tsn: number, frames: readonly number[]): void;
  incomplete(direction: string, message: IncompleteUserMessage): void;
}

/** Limits of a {@link SctpReassembler}. */
export interface SctpReassemblyLimits {
  /** User-data octets held in unfinished messages, all directions together. */
  readonly maxBytes: number;
  /** Fragments held, all directions together. */
  readonly maxFragments: number;
  /** Fragments one message may have. */
  readonly maxFragmentsPerMessage: number;
  /** Directions tracked; the least recently used is dropped first. */
  readonly maxDirections: number;
}

interface Fragment {
  readonly tsn: number;
  readonly flags: number;
  readonly streamId: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly data: Uint8Array;
  readonly frames: readonly number[];
  readonly checksumOk: boolean;
}

/** Consecutive pending DATA fragments; `first`/`last` are TSNs. */
interface Run {
  readonly kind: 'DATA';
  readonly dir: Direction;
  first: number;
  last: number;
  count: number;
  bytes: number;
}

interface IDataGroup {
  readonly kind: 'I-DATA';
  readonly dir: Direction;
  readonly key: string;
  readonly streamId: number;
  readonly unordered: boolean;
  readonly fragments: Map<number, Fragment>;
  ppid: number | undefined;
  lastFsn: number;
  count: number;
  bytes: number;
}

type Pending = Run | IDataGroup;

interface Direction {
  readonly key: string;
  readonly window: TsnWindow;
  /** Value of the use clock when the direction last moved to the young end of the LRU order. */
  stamp: number;
  /** Fragment state, created on the first fragment: most directions only see whole messages. */
  pending: PendingState | undefined;
}

interface PendingState {
  readonly fragments: Map<number, Fragment>;
  readonly runByFirst: Map<number, Run>;
  readonly runByLast: Map<number, Run>;
  readonly groups: Map<string, IDataGroup>;
  /** I-DATA messages found unwanted at their B fragment; later fragments are dropped. */
  readonly unwantedGroups: Set<string>;
}

const MAX_UNWANTED_GROUPS = 1024;

/** Per-direction DATA / I-DATA reassembly; see the module comment. */
export class SctpReassembler<C> {
  private readonly directions = new Map<string, Direction>();
  /** Unfinished messages, oldest first (Map keeps insertion order). */
  private readonly age = new Map<Pending, true>();
  private heldBytes = 0;
  private heldFragments = 0;
  private clock = 0;

  constructor(
    private readonly limits: SctpReassemblyLimits,
    private readonly listener: ReassemblyListener<C>,
  ) {}

  /**
   * Adds one chunk. `wanted(ppid)` says whether a message with that PPID should be rebuilt;
   * `context` is passed through to {@link ReassemblyListener.message} for the completing chunk.
   */
  add(direction: string, chunk: DataChunk, wanted: (ppid: number) => boolean, context: C): void {
    const dir = this.direction(direction);
    const seen = dir.window.check(chunk.tsn);
    if (seen !== 'new') {
      this.listener.duplicate(direction, chunk.tsn, chunk.frames);
      return;
    }
    if (chunk.kind === 'DATA') this.addData(dir, chunk, wanted, context);
    else this.addIData(dir, chunk, wanted, context);
    this.enforceLimits();
  }

  /** Gives up everything still pending (end of input). */
  finish(): void {
    for (const pending of [...this.age.keys()]) this.giveUp(pending, 'missing-fragments');
  }

  private addData(dir: Direction, c: DataChunk, wanted: (ppid: number) => boolean, context: C): void {
    const ppid = c.ppid ?? 0;
    const begin = (c.flags & DATA_FLAG.begin) !== 0;
    const end = (c.flags & DATA_FLAG.end) !== 0;
    // Every DATA chunk repeats the PPID, so unwanted messages need no buffering at all.
    if (!wanted(ppid)) {
      if (begin) this.listener.unwanted(dir.key, ppid, c.frames);
      return;
    }
    if (begin && end) {
      this.listener.message(dir.key, wholeMessage(c, ppid), context);
      return;
    }
    const st = stateOf(dir);
    const frag = fragmentOf(c, ppid);
    st.fragments.set(c.tsn, frag);
    this.heldBytes += frag.data.length;
    this.heldFragments++;
    let run: Run = { kind: 'DATA', dir, first: c.tsn, last: c.tsn, count: 1, bytes: frag.data.length };
    this.age.set(run, true);
    st.runByFirst.set(run.first, run);
    st.runByLast.set(run.last, run);
    // Join the run to the left unless this fragment begins a message or that run ended one.
    const left = begin ? undefined : st.runByLast.get((c.tsn - 1) >>> 0);
    if (left && !(st.fragments.get(left.last)!.flags & DATA_FLAG.end)) run = this.merge(st, left, run);
    const right = end ? undefined : st.runByFirst.get((c.tsn + 1) >>> 0);
    if (right && !(st.fragments.get(right.first)!.flags & DATA_FLAG.begin)) run = this.merge(st, run, right);
    if (run.count > this.limits.maxFragmentsPerMessage) {
      this.giveUp(run, 'too-many-fragments');
      return;
    }
    const head = st.fragments.get(run.first)!;
    const tail = st.fragments.get(run.last)!;
    if (head.flags & DATA_FLAG.begin && tail.flags & DATA_FLAG.end) this.completeRun(run, context);
  }

  /** Joins `b` (which starts right after `a` ends) into `a`; returns `a`. */
  private merge(st: PendingState, a: Run, b: Run): Run {
    st.runByLast.delete(a.last);
    st.runByFirst.delete(b.first);
    a.last = b.last;
    a.count += b.count;
    a.bytes += b.bytes;
    st.runByLast.set(a.last, a);
    this.age.delete(b);
    return a;
  }

  private completeRun(run: Run, context: C): void {
    const parts = runFragments(run);
    const head = parts[0]!;
    const unordered = (head.flags & DATA_FLAG.unordered) !== 0;
    // Fragments of one message share the stream, the PPID and (ordered delivery) the SSN.
    const consistent = parts.every(
      (p) =>
        p.streamId === head.streamId &&
        p.ppid === head.ppid &&
        (p.flags & DATA_FLAG.unordered) === (head.flags & DATA_FLAG.unordered) &&
        (unordered || p.ssn === head.ssn),
    );
    if (!consistent) {
      this.giveUp(run, 'inconsistent');
      return;
    }
    const message: UserMessage = {
      kind: 'DATA',
      ppid: head.ppid,
      streamId: head.streamId,
      unordered,
      bytes: concat(parts),
      frames: framesOf(parts),
      checksumOk: parts.every((p) => p.checksumOk),
    };
    this.dropRun(run);
    this.listener.message(run.dir.key, message, context);
  }

  private addIData(dir: Direction, c: DataChunk, wanted: (ppid: number) => boolean, context: C): void {
    const unordered = (c.flags & DATA_FLAG.unordered) !== 0;
    const begin = (c.flags & DATA_FLAG.begin) !== 0;
    const end = (c.flags & DATA_FLAG.end) !== 0;
    const key = `${c.streamId}|${unordered ? 'u' : 'o'}|${c.mid}`;
    if (dir.pending?.unwantedGroups.has(key)) {
      if (end) dir.pending.unwantedGroups.delete(key);
      return;
    }
    if (begin && end) {
      const ppid = c.ppid ?? 0;
      if (!wanted(ppid)) this.listener.unwanted(dir.key, ppid, c.frames);
      else this.listener.message(dir.key, wholeMessage(c, ppid), context);
      return;
    }
    const fsn = begin ? 0 : c.fsn;
    const st = stateOf(dir);
    let group = st.groups.get(key);
    if (fsn >= this.limits.maxFragmentsPerMessage) {
      if (group) this.giveUp(group, 'too-many-fragments');
      else {
        const frames = [...c.frames];
        this.listener.incomplete(dir.key, { kind: 'I-DATA', streamId: c.streamId, frames, bytes: c.data.length, reason: 'too-many-fragments' });
      }
      return;
    }
    if (!group) {
      group = { kind: 'I-DATA', dir, key, streamId: c.streamId, unordered, fragments: new Map(), ppid: undefined, lastFsn: -1, count: 0, bytes: 0 };
      st.groups.set(key, group);
      this.age.set(group, true);
    }
    if (begin) {
      const ppid = c.ppid ?? 0;
      if (!wanted(ppid)) {
        this.listener.unwanted(dir.key, ppid, c.frames);
        this.dropGroup(group);
        st.unwantedGroups.add(key);
        if (st.unwantedGroups.size > MAX_UNWANTED_GROUPS) st.unwantedGroups.delete(st.unwantedGroups.values().next().value as string);
        return;
      }
      group.ppid = ppid;
    }
    if (end) group.lastFsn = fsn;
    if (group.fragments.has(fsn)) return; // same FSN under a new TSN: a resent copy
    const frag = fragmentOf(c, group.ppid ?? 0);
    group.fragments.set(fsn, frag);
    group.count++;
    group.bytes += frag.data.length;
    this.heldBytes += frag.data.length;
    this.heldFragments++;
    if (group.ppid === undefined || group.lastFsn < 0 || group.count < group.lastFsn + 1) return;
    const parts: Fragment[] = [];
    for (let i = 0; i <= group.lastFsn; i++) {
      const p = group.fragments.get(i);
      if (!p) return; // an FSN beyond the end fills the count: wait for the real ones
      parts.push(p);
    }
    const message: UserMessage = {
      kind: 'I-DATA',
      ppid: group.ppid,
      streamId: group.streamId,
      unordered,
      bytes: concat(parts),
      frames: framesOf(parts),
      checksumOk: parts.every((p) => p.checksumOk),
    };
    this.dropGroup(group);
    this.listener.message(dir.key, message, context);
  }

  private direction(key: string): Direction {
    let dir = this.directions.get(key);
    if (dir) {
      // Approximate LRU: move to the young end only once aged by half the capacity.
      if (this.clock - dir.stamp > this.limits.maxDirections >> 1) {
        dir.stamp = ++this.clock;
        this.directions.delete(key);
        this.directions.set(key, dir);
      } else {
        this.clock++;
      }
      return dir;
    }
    dir = { key, window: new TsnWindow(), stamp: ++this.clock, pending: undefined };
    this.directions.set(key, dir);
    while (this.directions.size > this.limits.maxDirections) {
      const oldest = this.directions.values().next().value as Direction;
      this.directions.delete(oldest.key);
      if (!oldest.pending || (oldest.pending.fragments.size === 0 && oldest.pending.groups.size === 0)) continue;
      for (const pending of [...this.age.keys()]) if (pending.dir === oldest) this.giveUp(pending, 'evicted');
    }
    return dir;
  }

  private enforceLimits(): void {
    while (this.heldBytes > this.limits.maxBytes || this.heldFragments > this.limits.maxFragments) {
      const oldest = this.age.keys().next().value as Pending | undefined;
      if (!oldest) break;
      this.giveUp(oldest, 'evicted');
    }
  }

  private giveUp(pending: Pending, reason: IncompleteUserMessage['reason']): void {
    const parts = pending.kind === 'DATA' ? runFragments(pending) : [...pending.fragments.values()];
    const streamId = pending.kind === 'DATA' ? (parts[0]?.streamId ?? 0) : pending.streamId;
    if (pending.kind === 'DATA') this.dropRun(pending);
    else this.dropGroup(pending);
    const bytes = parts.reduce((n, p) => n + p.data.length, 0);
    this.listener.incomplete(pending.dir.key, { kind: pending.kind, streamId, frames: framesOf(parts), bytes, reason });
  }

  private dropRun(run: Run): void {
    const st = run.dir.pending!;
    for (let i = 0, tsn = run.first; i < run.count; i++, tsn = (tsn + 1) >>> 0) st.fragments.delete(tsn);
    st.runByFirst.delete(run.first);
    st.runByLast.delete(run.last);
    this.age.delete(run);
    this.heldBytes -= run.bytes;
    this.heldFragments -= run.count;
  }

  private dropGroup(group: IDataGroup): void {
    group.dir.pending!.groups.delete(group.key);
    this.age.delete(group);
    this.heldBytes -= group.bytes;
    this.heldFragments -= group.count;
  }
}

function runFragments(run: Run): Fragment[] {
  const fragments = run.dir.pending!.fragments;
  const out: Fragment[] = [];
  for (let i = 0, tsn = run.first; i < run.count; i++, tsn = (tsn + 1) >>> 0) out.push(fragments.get(tsn)!);
  return out;
}

function stateOf(dir: Direction): PendingState {
  dir.pending ??= { fragments: new Map(), runByFirst: new Map(), runByLast: new Map(), groups: new Map(), unwantedGroups: new Set() };
  return dir.pending;
}

function concat(parts: readonly Fragment[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.data.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p.data, pos);
    pos += p.data.length;
  }
  return out;
}

function framesOf(parts: readonly Fragment[]): number[] {
  return [...new Set(parts.flatMap((p) => p.frames))].sort((a, b) => a - b);
}

/** A message carried whole by one chunk (B and E set); its octets are copied. */
function wholeMessage(c: DataChunk, ppid: number): UserMessage {
  const unordered = (c.flags & DATA_FLAG.unordered) !== 0;
  return { kind: c.kind, ppid, streamId: c.streamId, unordered, bytes: c.data.slice(), frames: [...c.frames], checksumOk: c.checksumOk };
}

/** A fragment to keep; its octets are copied. */
function fragmentOf(c: DataChunk, ppid: number): Fragment {
  return { tsn: c.tsn, flags: c.flags, streamId: c.streamId, ssn: c.ssn, ppid, data: c.data.slice(), frames: c.frames, checksumOk: c.checksumOk };
}
