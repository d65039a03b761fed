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

const pad4 = (n: number) => (n + 3) & ~3;

/**
 * Find parameters: top-level ones after `firstParam`, and those nested inside container-looking
 * values (a nested walk that fits exactly is taken as a container). Never throws.
 */
export function findTlvs(bytes: Uint8Array, firstParam: number): TlvSpan[] {
  const out: TlvSpan[] = [];
  const walk = (start: number, end: number, depth: number): boolean => {
    const found: TlvSpan[] = [];
    let o = start;
    while (o + 4 <= end) {
      const length = (bytes[o + 2]! << 8) | bytes[o + 3]!;
      if (length < 4 || o + length > end) return false;
      found.push({ start: o, length, padded: Math.min(pad4(length), end - o), depth });
      o += pad4(length);
    }
    if (o < end && end - o >= 4) return false;
    out.push(...found);
    if (depth < 4) {
      for (const t of found) {
        // Containers put their children after 4–12 octets of fixed fields.
        for (const skip of [4, 8, 12, 16]) if (t.length > skip + 4 && walk(t.start + skip, t.start + t.length, depth + 1)) break;
      }
    }
    return true;
  };
  walk(firstParam, bytes.length, 0);
  return out.sort((a, b) => a.start - b.start);
}

function setLength16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Keep Message Length equal to the size, for mutations that mean to stay well-framed. */
function refreshMessageLength(b: Uint8Array): Uint8Array {
  if (b.length >= 4) setLength16(b, 2, Math.min(b.length, 0xffff));
  return b;
}

/** The element at index `i` modulo the list's length (any integer is a valid index). */
function pick<T>(xs: readonly T[], i: number): T | undefined {
  return xs.length ? xs[((i % xs.length) + xs.length) % xs.length] : undefined;
}

/**
 * Apply one mutation. `firstParam` is where the message's parameters start (4 + fixed fields);
 * an out-of-range index wraps, a mutation with nothing to act on returns the input unchanged.
 */
export function applyMutation(input: Uint8Array, m: Mutation, firstParam: number): Uint8Array {
  const b = Uint8Array.from(input);
  const tlvs = (): TlvSpan[] => findTlvs(b, Math.min(firstParam, b.length));
  switch (m.kind) {
    case 'bitFlip': {
      if (b.length === 0) return b;
      const bit = m.bit % (b.length * 8);
      b[bit >> 3]! ^= 1 << (bit & 7);
      return b;
    }
    case 'setByte':
      if (b.length) b[m.at % b.length] = m.value & 0xff;
      return b;
    case 'truncate':
      return b.slice(0, b.length ? m.keep % b.length : 0);
    case 'append':
      return refreshMessageLength(splice(b, b.length, 0, Uint8Array.from(m.bytes)));
    case 'messageLength':
      if (b.length >= 4) setLength16(b, 2, (((b[2]! << 8) | b[3]!) + m.delta) & 0xffff);
      return b;
    case 'tlvLength':
    case 'tlvLengthMax': {
      const t = pick(tlvs(), m.tlv);
      if (!t) return b;
      setLength16(b, t.start + 2, m.kind === 'tlvLengthMax' ? 0xffff : (t.length + m.delta) & 0xffff);
      return b;
    }
    case 'duplicateTlv': {
      const t = pick(tlvs().filter((x) => x.depth === 0), m.tlv);
      if (!t) return b;
      return refreshMessageLength(splice(b, t.start + t.padded, 0, b.slice(t.start, t.start + t.padded)));
    }
    case 'removeTlv': {
      const t = pick(tlvs().filter((x) => x.depth === 0), m.tlv);
      return t ? refreshMessageLength(splice(b, t.start, t.padded, new Uint8Array(0))) : b;
    }
    case 'swapTlvs': {
      const top = tlvs().filter((x) => x.depth === 0);
      const x = pick(top, m.a);
      const y = pick(top, m.b);
      if (!x || !y || x === y) return b;
      const [p, q] = x.start < y.start ? [x, y] : [y, x];
      const out = new Uint8Array(b.length);
      let o = 0;
      for (const part of [b.subarray(0, p.start), b.subarray(q.start, q.start + q.padded), b.subarray(p.start + p.padded, q.start), b.subarray(p.start, p.start + p.padded), b.subarray(q.start + q.padded)]) {
        out.set(part, o);
        o += part.length;
      }
      return out;
    }
    case 'nestTlv': {
      // Move a parameter inside another one and fix the container's length: wrong nesting.
      const all = tlvs();
      const t = pick(all, m.tlv);
      const c = pick(all, m.container);
      const inside = (x: TlvSpan, y: TlvSpan) => x.start >= y.start && x.start < y.start + y.padded;
      if (!t || !c || t === c || inside(t, c) || inside(c, t)) return b;
      const moved = b.slice(t.start, t.start + t.padded);
      const without = splice(b, t.start, t.padded, new Uint8Array(0));
      const cStart = c.start > t.start ? c.start - t.padded : c.start;
      const cEnd = Math.min(cStart + c.padded, without.length);
      const out = splice(without, cEnd, 0, moved);
      setLength16(out, cStart + 2, Math.min(c.padded + moved.length, 0xffff));
      return refreshMessageLength(out);
    }
    case 'unknownTlv': {
      const at = pick([...tlvs().filter((x) => x.depth === 0).map((x) => x.start), b.length], m.at) ?? b.length;
      const len = 4 + (m.length % 13);
      const tlv = new Uint8Array(pad4(len));
      // Types 0x3f00–0x3fff are unassigned by RFC 5354; the two high bits choose the action.
      const type = (0x3f00 | (m.length & 0xfe)) | ((m.action & 3) << 14);
      setLength16(tlv, 0, type === 0xbf3f ? type ^ 0x2 : type);
      setLength16(tlv, 2, len);
      for (let i = 4; i < len; i++) tlv[i] = (i * 37) & 0xff;
      return refreshMessageLength(splice(b, at, 0, tlv));
    }
    case 'boundaryInt': {
      if (b.length < 4) return b;
      const at = (m.at % Math.max(1, b.length - 3)) & ~3;
      new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(Math.min(at, b.length - 4), m.value >>> 0);
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
