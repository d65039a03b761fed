/**
 * Named, deterministic mutations of encoded ASAP/ENRP messages. Each mutation is plain data
 * (`{ kind, … }`), so a finding is replayed from the original bytes and the mutation list alone.
 * The TLV-aware ones find parameters by walking the message like a receiver would, without
 * trusting any of it.
 */
import fc from 'fast-check';
import { ACTION } from '../codecs/constants.js';

/** One mutation. Offsets and indices are taken modulo what the message has, so any value is valid. */
export type Mutation =
  | { readonly kind: 'bitFlip'; readonly bit: number }
  | { readonly kind: 'setByte'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'append'; readonly bytes: readonly number[] }
  | { readonly kind: 'messageLength'; readonly delta: number }
  | { readonly kind: 'tlvLength'; readonly tlv: number; readonly delta: number }
  | { readonly kind: 'tlvLengthMax'; readonly tlv: number }
  | { readonly kind: 'duplicateTlv'; readonly tlv: number }
  | { readonly kind: 'removeTlv'; readonly tlv: number }
  | { readonly kind: 'swapTlvs'; readonly a: number; readonly b: number }
  | { readonly kind: 'nestTlv'; readonly tlv: number; readonly container: number }
  | { readonly kind: 'unknownTlv'; readonly at: number; readonly action: number; readonly length: number }
  | { readonly kind: 'boundaryInt'; readonly at: number; readonly value: number };

/** A parameter found in a message: where it starts and its padded extent. */
export interface TlvSpan {
  readonly start: number;
  readonly length: number;
  readonly padded: number;
  readonly depth: number;
}

const pad4 = (n: number): number => (n + 3) & ~3;

// The TLV scan runs for most mutations of every fuzzing input, so it fills one reused table of
// (start, length, padded, depth) quadruples instead of allocating a span object per parameter.
// Nothing here re-enters, so one table is enough; `findTlvs` turns it into objects for callers.
let spans = new Int32Array(4 * 64);
let spanCount = 0;

function pushSpan(start: number, length: number, padded: number, depth: number): void {
  if (4 * spanCount + 4 > spans.length) {
    const grown = new Int32Array(spans.length * 2);
    grown.set(spans);
    spans = grown;
  }
  const k = 4 * spanCount++;
  spans[k] = start;
  spans[k + 1] = length;
  spans[k + 2] = padded;
  spans[k + 3] = depth;
}

/**
 * One container level: it counts only when every header fits (a nested walk that fits exactly is
 * taken as a container). Spans are recorded in pre-order (each parameter, then what it contains),
 * which is ascending start order, since children lie inside their parent and siblings are disjoint.
 */
function scanLevel(bytes: Uint8Array, start: number, end: number, depth: number): boolean {
  for (let o = start; o + 4 <= end; ) {
    const length = (bytes[o + 2]! << 8) | bytes[o + 3]!;
    if (length < 4 || o + length > end) return false;
    o += pad4(length);
  }
  for (let o = start; o + 4 <= end; ) {
    const length = (bytes[o + 2]! << 8) | bytes[o + 3]!;
    pushSpan(o, length, Math.min(pad4(length), end - o), depth);
    if (depth < 4) {
      // Containers put their children after 4–12 octets of fixed fields.
      for (let skip = 4; skip <= 16; skip += 4) if (length > skip + 4 && scanLevel(bytes, o + skip, o + length, depth + 1)) break;
    }
    o += pad4(length);
  }
  return true;
}

/** Fill the span table for `bytes`; returns how many spans there are. */
function scanTlvs(bytes: Uint8Array, firstParam: number): number {
  spanCount = 0;
  scanLevel(bytes, firstParam, bytes.length, 0);
  return spanCount;
}

/**
 * Find parameters: top-level ones after `firstParam`, and those nested inside container-looking
 * values (a nested walk that fits exactly is taken as a container), in ascending start order.
 * Never throws.
 */
export function findTlvs(bytes: Uint8Array, firstParam: number): TlvSpan[] {
  const n = scanTlvs(bytes, firstParam);
  const out: TlvSpan[] = [];
  for (let k = 0; k < 4 * n; k += 4) out.push({ start: spans[k]!, length: spans[k + 1]!, padded: spans[k + 2]!, depth: spans[k + 3]! });
  return out;
}

/**
 * The position `i` designates in a list of `n` (any integer is a valid index: it wraps), or -1 when
 * there is none (empty list, or an index that is not an integer, as a hand-edited finding may hold).
 */
function wrap(i: number, n: number): number {
  if (n === 0) return -1;
  const k = ((i % n) + n) % n;
  return Number.isInteger(k) ? k : -1;
}

/** Table row (span number) of the `k`-th top-level span, or -1. */
function topRow(n: number, k: number): number {
  for (let row = 0; row < n; row++) {
    if (spans[4 * row + 3] === 0 && k-- === 0) return row;
  }
  return -1;
}

function topCount(n: number): number {
  let c = 0;
  for (let row = 0; row < n; row++) if (spans[4 * row + 3] === 0) c++;
  return c;
}

function setLength16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

/** Copy src[from, to) to dst at `at`; small ranges by hand, which beats allocating a subarray view. */
function copyRange(src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number): void {
  if (to - from > 64) {
    dst.set(src.subarray(from, to), at);
    return;
  }
  for (let i = from; i < to; i++) dst[at++] = src[i]!;
}

/** A plain Uint8Array copy of octets [from, to) (never a view, even when `b` is a Buffer). */
function copyOf(b: Uint8Array, from = 0, to = b.length): Uint8Array {
  const out = new Uint8Array(to - from);
  copyRange(b, from, to, out, 0);
  return out;
}

/** Does a span starting at `xStart` start inside the span [yStart, yStart + yPadded)? */
function inside(xStart: number, yStart: number, yPadded: number): boolean {
  return xStart >= yStart && xStart < yStart + yPadded;
}

/**
 * Copy octets [from, to) of "the input without [tStart, tStart + tPadded)" to `out` at `at`, without
 * building that shortened input: they come from before and after the removed span.
 */
function copyWithout(input: Uint8Array, tStart: number, tPadded: number, from: number, to: number, out: Uint8Array, at: number): void {
  const beforeEnd = Math.min(to, tStart);
  if (from < beforeEnd) copyRange(input, from, beforeEnd, out, at);
  const afterFrom = Math.max(from, tStart);
  if (afterFrom < to) copyRange(input, afterFrom + tPadded, to + tPadded, out, at + (afterFrom - from));
}

/** Where `slice(0, end)` of a `len`-octet array stops (relative ends count from the back). */
function sliceEnd(end: number, len: number): number {
  const e = Math.trunc(end) || 0;
  return e < 0 ? Math.max(len + e, 0) : Math.min(e, len);
}

/** Keep Message Length equal to the size, for mutations that mean to stay well-framed. */
function refreshMessageLength(b: Uint8Array): Uint8Array {
  if (b.length >= 4) setLength16(b, 2, Math.min(b.length, 0xffff));
  return b;
}

/**
 * Apply one mutation. `firstParam` is where the message's parameters start (4 + fixed fields);
 * an out-of-range index wraps, a mutation with nothing to act on returns the input unchanged.
 * The result is always a new array; the input is never modified.
 */
export function applyMutation(input: Uint8Array, m: Mutation, firstParam: number): Uint8Array {
  return applyMutationTo(input, m, firstParam, false);
}

/**
 * {@link applyMutation} for chains of mutations: when `owned` is true, `input` is a buffer the
 * caller made and no longer needs, so mutations that only overwrite octets do so in place instead
 * of copying it again. The octets produced are the same either way.
 */
export function applyMutationTo(input: Uint8Array, m: Mutation, firstParam: number, owned: boolean): Uint8Array {
  const len = input.length;
  switch (m.kind) {
    case 'bitFlip': {
      const b = owned ? input : copyOf(input);
      if (len === 0) return b;
      const bit = m.bit % (len * 8);
      b[bit >> 3]! ^= 1 << (bit & 7);
      return b;
    }
    case 'setByte': {
      const b = owned ? input : copyOf(input);
      if (len) b[m.at % len] = m.value & 0xff;
      return b;
    }
    case 'truncate':
      return copyOf(input, 0, sliceEnd(len ? m.keep % len : 0, len));
    case 'append': {
      const out = new Uint8Array(len + m.bytes.length);
      copyRange(input, 0, len, out, 0);
      for (let i = 0; i < m.bytes.length; i++) out[len + i] = m.bytes[i]!;
      return refreshMessageLength(out);
    }
    case 'messageLength': {
      const b = owned ? input : copyOf(input);
      if (len >= 4) setLength16(b, 2, (((b[2]! << 8) | b[3]!) + m.delta) & 0xffff);
      return b;
    }
    case 'tlvLength':
    case 'tlvLengthMax': {
      const b = owned ? input : copyOf(input);
      const n = scanTlvs(b, Math.min(firstParam, len));
      const row = wrap(m.tlv, n);
      if (row < 0) return b;
      setLength16(b, spans[4 * row]! + 2, m.kind === 'tlvLengthMax' ? 0xffff : (spans[4 * row + 1]! + m.delta) & 0xffff);
      return b;
    }
    case 'duplicateTlv': {
      const n = scanTlvs(input, Math.min(firstParam, len));
      const row = topRow(n, wrap(m.tlv, topCount(n)));
      if (row < 0) return owned ? input : copyOf(input);
      const start = spans[4 * row]!;
      const end = start + spans[4 * row + 2]!;
      const out = new Uint8Array(len + end - start);
      copyRange(input, 0, end, out, 0);
      copyRange(input, start, len, out, end);
      return refreshMessageLength(out);
    }
    case 'removeTlv': {
      const n = scanTlvs(input, Math.min(firstParam, len));
      const row = topRow(n, wrap(m.tlv, topCount(n)));
      if (row < 0) return owned ? input : copyOf(input);
      const start = spans[4 * row]!;
      const end = start + spans[4 * row + 2]!;
      const out = new Uint8Array(len - (end - start));
      copyRange(input, 0, start, out, 0);
      copyRange(input, end, len, out, start);
      return refreshMessageLength(out);
    }
    case 'swapTlvs': {
      const n = scanTlvs(input, Math.min(firstParam, len));
      const top = topCount(n);
      const ka = wrap(m.a, top);
      const kb = wrap(m.b, top);
      if (ka < 0 || kb < 0 || ka === kb) return owned ? input : copyOf(input);
      const x = topRow(n, ka);
      const y = topRow(n, kb);
      const [p, q] = spans[4 * x]! < spans[4 * y]! ? [x, y] : [y, x];
      const pStart = spans[4 * p]!;
      const pEnd = pStart + spans[4 * p + 2]!;
      const qStart = spans[4 * q]!;
      const qEnd = qStart + spans[4 * q + 2]!;
      // Head, q, what lies between, p, tail: same size as the input.
      const out = new Uint8Array(len);
      let o = 0;
      copyRange(input, 0, pStart, out, o);
      o += pStart;
      copyRange(input, qStart, qEnd, out, o);
      o += qEnd - qStart;
      copyRange(input, pEnd, qStart, out, o);
      o += qStart - pEnd;
      copyRange(input, pStart, pEnd, out, o);
      o += pEnd - pStart;
      copyRange(input, qEnd, len, out, o);
      return out;
    }
    case 'nestTlv': {
      // Move a parameter inside another one and fix the container's length: wrong nesting.
      const n = scanTlvs(input, Math.min(firstParam, len));
      const t = wrap(m.tlv, n);
      const c = wrap(m.container, n);
      if (t < 0 || c < 0 || t === c) return owned ? input : copyOf(input);
      const tStart = spans[4 * t]!;
      const tPadded = spans[4 * t + 2]!;
      const cStart0 = spans[4 * c]!;
      const cPadded = spans[4 * c + 2]!;
      if (inside(tStart, cStart0, cPadded) || inside(cStart0, tStart, tPadded)) return owned ? input : copyOf(input);
      // The input without the moved parameter is `without` (len − tPadded octets); the parameter
      // goes back in at the container's padded end, clipped to that size.
      const withoutLength = len - tPadded;
      const cStart = cStart0 > tStart ? cStart0 - tPadded : cStart0;
      const cEnd = Math.min(cStart + cPadded, withoutLength);
      const out = new Uint8Array(len);
      // out = without[0, cEnd) + moved + without[cEnd, …), built in one buffer.
      copyWithout(input, tStart, tPadded, 0, cEnd, out, 0);
      copyRange(input, tStart, tStart + tPadded, out, cEnd);
      copyWithout(input, tStart, tPadded, cEnd, withoutLength, out, cEnd + tPadded);
      setLength16(out, cStart + 2, Math.min(cPadded + tPadded, 0xffff));
      return refreshMessageLength(out);
    }
    case 'unknownTlv': {
      const n = scanTlvs(input, Math.min(firstParam, len));
      // Candidate positions: before each top-level parameter, or at the end.
      const k = wrap(m.at, topCount(n) + 1);
      const row = k < 0 ? -1 : topRow(n, k);
      const at = row >= 0 ? spans[4 * row]! : len;
      const tlvLength = 4 + (m.length % 13);
      const padded = pad4(tlvLength);
      // Only a hand-made `length` (negative, fractional) gives no or a clipped TLV; as a separate
      // array it would have been: an invalid length, or writes past its end that do nothing.
      if (padded < 0) throw new RangeError(`Invalid typed array length: ${padded}`);
      const out = new Uint8Array(len + padded);
      copyRange(input, 0, at, out, 0);
      if (padded >= 4) {
        // Types 0x3f00–0x3fff are unassigned by RFC 5354; the two high bits choose the action.
        const type = (0x3f00 | (m.length & 0xfe)) | ((m.action & 3) << 14);
        setLength16(out, at, type === 0xbf3f ? type ^ 0x2 : type);
        setLength16(out, at + 2, tlvLength);
        for (let i = 4; i < tlvLength && i < padded; i++) out[at + i] = (i * 37) & 0xff;
      }
      copyRange(input, at, len, out, at + padded);
      return refreshMessageLength(out);
    }
    case 'boundaryInt': {
      const b = owned ? input : copyOf(input);
      if (len < 4) return b;
      const at = Math.min((m.at % Math.max(1, len - 3)) & ~3, len - 4);
      if (at < 0) throw new RangeError('Offset is outside the bounds of the DataView');
      const v = m.value >>> 0;
      b[at] = v >>> 24;
      b[at + 1] = (v >>> 16) & 0xff;
      b[at + 2] = (v >>> 8) & 0xff;
      b[at + 3] = v & 0xff;
      return b;
    }
  }
}

/** Interesting 32-bit values: zero, one, the signed and unsigned limits. */
export const BOUNDARY_INTS: readonly number[] = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xffff, 0x10000];

/** fast-check arbitrary over every mutation kind. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('bitFlip' as const), bit: fc.nat() }),
  fc.record({ kind: fc.constant('setByte' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.array(fc.nat(255), { maxLength: 12 }) }),
  fc.record({ kind: fc.constant('messageLength' as const), delta: fc.constantFrom(-4, -1, 1, 4, 0x8000, -0x8000) }),
  fc.record({ kind: fc.constant('tlvLength' as const), tlv: fc.nat(), delta: fc.constantFrom(-4, -1, 1, 4, -3, 3) }),
  fc.record({ kind: fc.constant('tlvLengthMax' as const), tlv: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateTlv' as const), tlv: fc.nat() }),
  fc.record({ kind: fc.constant('removeTlv' as const), tlv: fc.nat() }),
  fc.record({ kind: fc.constant('swapTlvs' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('nestTlv' as const), tlv: fc.nat(), container: fc.nat() }),
  fc.record({ kind: fc.constant('unknownTlv' as const), at: fc.nat(), action: fc.nat(3), length: fc.nat(64) }),
  fc.record({ kind: fc.constant('boundaryInt' as const), at: fc.nat(), value: fc.constantFrom(...BOUNDARY_INTS) }),
);

/** The action-bit values in the order 00, 01, 10, 11 (for tests that must cover each). */
export const ACTIONS: readonly number[] = [ACTION.stop >> 14, ACTION.stopAndReport >> 14, ACTION.skip >> 14, ACTION.skipAndReport >> 14];
