/**
 * The TLV machinery shared by every codec: the decode context (mode, profile, what was tolerated
 * or must be reported), the TLV header reader with padding and action-bit handling, and the writer
 * that fills in every length after the body.
 */
import { ACTION, CAUSE, LEGACY_PARAM, PARAM, type ParamName } from './constants.js';
import { DecodeError, EncodeError, ERR, type ErrorCode } from './errors.js';
import type { Profile } from './types.js';

/** Strict rejects what the RFC forbids; lenient accepts what rsplib accepts and lists it. */
export type Mode = 'strict' | 'lenient';

/** Something lenient mode accepted that strict mode rejects. */
export interface Tolerance {
  readonly code: ErrorCode;
  readonly offset: number;
  readonly path: string;
  readonly detail: string;
}

/** An unrecognised parameter that was skipped (action bits 1x); `report` when the bits were 11. */
export interface UnknownParameter {
  readonly type: number;
  readonly offset: number;
  readonly path: string;
  /** The whole TLV, header included, without its padding: the cause info of Unrecognized Parameter. */
  readonly tlv: Uint8Array;
  readonly report: boolean;
}

/** Round up to the next multiple of 4 (RFC 5354 §2: every TLV is padded to a 4-octet boundary). */
export const pad4 = (n: number): number => (n + 3) & ~3;

const RFC_TYPES = new Map<number, ParamName>(Object.entries(PARAM).map(([k, v]) => [v, k as ParamName]));
const LEGACY_TYPES = new Map<number, ParamName>(
  Object.entries(LEGACY_PARAM).map(([k, v]) => [v, k as ParamName]),
);

/** State of one decode call. */
export class DecodeContext {
  readonly strict: boolean;
  readonly legacy: boolean;
  readonly tolerated: Tolerance[] = [];
  readonly unknown: UnknownParameter[] = [];
  private readonly types: ReadonlyMap<number, ParamName>;

  constructor(
    readonly bytes: Uint8Array,
    mode: Mode,
    profile: Profile,
  ) {
    this.strict = mode === 'strict';
    this.legacy = profile === 'legacy';
    this.types = this.legacy ? LEGACY_TYPES : RFC_TYPES;
  }

  /** The parameter a wire type names in this profile, if any. */
  paramName(wireType: number): ParamName | undefined {
    return this.types.get(wireType);
  }

  /** Wire type of a parameter in this profile (the encoder's view of the same table). */
  wireType(name: ParamName): number | undefined {
    return this.legacy ? (LEGACY_PARAM as Partial<Record<ParamName, number>>)[name] : PARAM[name];
  }

  /** Throw a DecodeError; `tlv` (start, unpadded length) becomes the cause info. */
  fail(code: ErrorCode, message: string, offset: number, path: string, tlv?: Tlv, causeCode?: number): never {
    throw this.error(code, message, offset, path, tlv, causeCode);
  }

  /** The DecodeError {@link fail} throws, for callers that return it instead. */
  error(code: ErrorCode, message: string, offset: number, path: string, tlv?: Tlv, causeCode?: number): DecodeError {
    const info = tlv ? copyBytes(this.bytes, tlv.start, Math.min(tlv.start + tlv.length, this.bytes.length)) : new Uint8Array(0);
    return new DecodeError(code, message, {
      offset,
      path,
      cause: { code: causeCode ?? CAUSE.invalidValues, info },
    });
  }

  /** Something the RFC forbids but rsplib accepts: an error in strict mode, a tolerance in lenient mode. */
  violation(code: ErrorCode, message: string, offset: number, path: string, tlv?: Tlv): void {
    if (this.strict) this.fail(code, message, offset, path, tlv);
    this.tolerated.push({ code, offset, path, detail: message });
  }

  // Big-endian reads straight from the octets: a DataView per decode call costs more than the
  // reads themselves. Callers check bounds first, as they did with the DataView.
  u8(o: number): number {
    return this.bytes[o]!;
  }
  u16(o: number): number {
    const b = this.bytes;
    return (b[o]! << 8) | b[o + 1]!;
  }
  u32(o: number): number {
    const b = this.bytes;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
}

/** A parameter header as read from the wire. */
export interface Tlv {
  /** Type with its action bits. */
  readonly type: number;
  /** Declared Length: header plus value, own padding excluded. */
  readonly length: number;
  readonly start: number;
  readonly valueStart: number;
  /** start + length. */
  readonly end: number;
  /** Where the next sibling starts: after the padding, but never past the container. */
  readonly next: number;
}

/**
 * Read the TLV header at `offset` inside a container ending at `limit`, and check its padding.
 * The last child's padding may lie outside its container (wire-format §3.1): `next` is clipped.
 */
export function readTlv(ctx: DecodeContext, offset: number, limit: number, path: string): Tlv {
  if (offset + 4 > limit) {
    ctx.fail(ERR.tlvOverrun, `parameter header needs 4 octets, ${limit - offset} left`, offset, path);
  }
  const type = ctx.u16(offset);
  const length = ctx.u16(offset + 2);
  // One object with its final shape (`next` is only meaningful once the checks below pass).
  const tlv: Tlv = { type, length, start: offset, valueStart: offset + 4, end: offset + length, next: Math.min(offset + pad4(length), limit) };
  // RFC 5354 §2: Length covers the 4-octet header, so anything below 4 cannot be a parameter.
  if (length < 4) ctx.fail(ERR.tlvLengthTooSmall, `parameter length ${length} is below 4`, offset + 2, path, tlv);
  if (tlv.end > limit) {
    ctx.fail(ERR.tlvOverrun, `parameter length ${length} runs ${tlv.end - limit} octets past its container`, offset + 2, path, tlv);
  }
  return tlv;
}

/**
 * Padding is sent as zeros and receivers are told to ignore its content, so only strict mode objects.
 * Checked after the parameter's value was read, so that errors in the value are reported first.
 */
export function checkPadding(ctx: DecodeContext, tlv: Tlv, path: string): void {
  for (let i = tlv.end; i < tlv.next; i++) {
    if (ctx.bytes[i] !== 0) {
      ctx.violation(ERR.badPadding, `non-zero padding octet 0x${ctx.bytes[i]!.toString(16)}`, i, path);
      return;
    }
  }
}

/**
 * Walks the parameters of one container in order. Unrecognised types are handled by their action
 * bits as they are met (RFC 5354 §2), so callers only ever see parameters this profile knows.
 */
export class ParamWalker {
  pos: number;
  private peeked: { tlv: Tlv; name: ParamName } | null | undefined;
  /** The last parameter handed out, whose padding is checked once its value has been read. */
  private unchecked: Tlv | null = null;

  /**
   * @param messageLevel true for the walk over a message's own parameters: stray octets before
   *   Message Length then mean the length is wrong (rsplib: "invalid message"), which no mode accepts.
   */
  constructor(
    private readonly ctx: DecodeContext,
    start: number,
    readonly end: number,
    readonly path: string,
    private readonly messageLevel = false,
  ) {
    this.pos = start;
  }

  /** The next known parameter, or null at the end of the container. */
  peek(): { tlv: Tlv; name: ParamName } | null {
    if (this.peeked !== undefined) return this.peeked;
    const ctx = this.ctx;
    if (this.unchecked) {
      checkPadding(ctx, this.unchecked, this.path);
      this.unchecked = null;
    }
    for (;;) {
      if (this.end - this.pos < 4) {
        if (this.pos < this.end) {
          const detail = `${this.end - this.pos} stray octets after the last parameter`;
          if (this.messageLevel) ctx.fail(ERR.messageLengthMismatch, `${detail}: Message Length does not end at a parameter boundary`, this.pos, this.path);
          ctx.violation(ERR.trailingBytes, detail, this.pos, this.path);
          this.pos = this.end;
        }
        this.peeked = null;
        return null;
      }
      const tlv = readTlv(ctx, this.pos, this.end, this.path);
      let name = ctx.paramName(tlv.type);
      if (name === undefined && !ctx.legacy) {
        // rsplib compares only the low 14 bits, so 0x8009 passes as a Pool Handle there; Wireshark
        // and the RFC treat it as another type. Only lenient mode follows rsplib.
        const pure = ctx.paramName(tlv.type & ~ACTION.mask);
        if (pure !== undefined && !ctx.strict && pure !== 'handleResolutionOption') {
          ctx.tolerated.push({
            code: ERR.unknownParameter,
            offset: tlv.start,
            path: this.path,
            detail: `type 0x${tlv.type.toString(16)} read as ${pure} (low 14 bits, as rsplib does)`,
          });
          name = pure;
        }
      }
      if (name !== undefined) {
        this.peeked = { tlv, name };
        return this.peeked;
      }
      this.unknown(tlv);
    }
  }

  /** Apply the action bits of an unrecognised parameter (RFC 5354 §2, wire-format §3.2). */
  private unknown(tlv: Tlv): void {
    const ctx = this.ctx;
    const action = tlv.type & ACTION.mask;
    const path = `${this.path}<0x${tlv.type.toString(16).padStart(4, '0')}>`;
    if (action === ACTION.stop) {
      // 00: stop processing and discard the message without telling anyone.
      throw new DecodeError(ERR.unknownParameter, 'unrecognised parameter, action 00: discard silently', {
        offset: tlv.start,
        path,
        cause: null,
      });
    }
    const bytes = copyBytes(ctx.bytes, tlv.start, tlv.end);
    if (action === ACTION.stopAndReport) {
      // 01: stop, discard, and report the parameter in an Unrecognized Parameter cause.
      throw new DecodeError(ERR.unknownParameter, 'unrecognised parameter, action 01: discard and report', {
        offset: tlv.start,
        path,
        cause: { code: CAUSE.unrecognizedParameter, info: bytes },
      });
    }
    // 10 and 11: skip it and go on; 11 also asks for a report, which the caller gets in `unknown`.
    ctx.unknown.push({ type: tlv.type, offset: tlv.start, path, tlv: bytes, report: action === ACTION.skipAndReport });
    checkPadding(ctx, tlv, path);
    this.pos = tlv.next;
  }

  /** Consume the next parameter if it is `name`; otherwise return null and leave it. */
  optional(name: ParamName): Tlv | null {
    const p = this.peek();
    if (p === null || p.name !== name) return null;
    this.consume(p.tlv);
    return p.tlv;
  }

  /** Consume the next parameter, which must be `name` (wrong order or absence is an error). */
  expect(name: ParamName, path: string): Tlv {
    const p = this.peek();
    if (p === null) {
      this.ctx.fail(ERR.missingParameter, `missing mandatory ${name} parameter`, this.pos, path);
    }
    if (p.name !== name) {
      this.ctx.fail(ERR.unexpectedParameter, `expected ${name}, found ${p.name}`, p.tlv.start, path, p.tlv);
    }
    this.consume(p.tlv);
    return p.tlv;
  }

  /** Consume the next parameter whatever it is (the caller dispatches on `name`). */
  take(): { tlv: Tlv; name: ParamName } | null {
    const p = this.peek();
    if (p !== null) this.consume(p.tlv);
    return p;
  }

  private consume(tlv: Tlv): void {
    this.pos = tlv.next;
    this.peeked = undefined;
    this.unchecked = tlv;
  }

  /** No known parameter may follow (unknown skippable ones are skipped by `peek`). */
  done(): void {
    const p = this.peek();
    if (p !== null) {
      this.ctx.fail(ERR.unexpectedParameter, `unexpected ${p.name} parameter after the last expected one`, p.tlv.start, this.path, p.tlv);
    }
  }
}

// Encoding into a fresh 256-octet buffer and then copying the result out allocated twice per
// message. A growable writer borrows this spare buffer instead (grown as needed and kept), and
// gives it back in `release()`; a writer made while it is lent out (re-entry) gets its own.
let spare: Uint8Array | null = new Uint8Array(1024);

/** Growable (or fixed, when given a buffer) big-endian output; lengths are written after bodies. */
export class Writer {
  buf: Uint8Array;
  pos: number;
  private readonly fixed: boolean;
  private borrowed = false;

  constructor(
    readonly legacy: boolean,
    buf?: Uint8Array,
    offset = 0,
  ) {
    this.fixed = buf !== undefined;
    if (buf !== undefined) this.buf = buf;
    else if (spare !== null) {
      this.buf = spare;
      spare = null;
      this.borrowed = true;
    } else this.buf = new Uint8Array(256);
    this.pos = offset;
  }

  private ensure(n: number, path: string): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.fixed) throw new EncodeError(`buffer too small: need ${this.pos + n} octets, have ${this.buf.length}`, path);
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf);
    this.buf = grown;
  }

  // Octets are written by hand, big-endian; the shifts and masks truncate a value exactly as
  // DataView#setUint16/setUint32 do.
  u8(v: number, path = ''): void {
    this.ensure(1, path);
    this.buf[this.pos++] = v;
  }
  u16(v: number, path = ''): void {
    this.ensure(2, path);
    this.set16(this.pos, v);
    this.pos += 2;
  }
  u32(v: number, path = ''): void {
    this.ensure(4, path);
    const b = this.buf;
    const o = this.pos;
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
    this.pos += 4;
  }
  bytes(b: Uint8Array, path = ''): void {
    this.ensure(b.length, path);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Zero octets up to the next 4-octet boundary relative to `base`. */
  pad(base = 0, path = ''): void {
    const n = pad4(this.pos - base) - (this.pos - base);
    this.ensure(n, path);
    for (let i = 0; i < n; i++) this.buf[this.pos++] = 0;
  }

  /** Overwrite 16 bits at `at`, which was written before (a length filled in after the body). */
  set16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  /** Start a TLV: type now, length later. Returns its start. */
  begin(type: number, path: string): number {
    const start = this.pos;
    this.u16(type, path);
    this.u16(0, path);
    return start;
  }

  /** Close a TLV: write Length = octets since `start` (own padding excluded), then pad unless told not to. */
  end(start: number, path: string, padAfter = true): void {
    const length = this.pos - start;
    if (length > 0xffff) throw new EncodeError(`parameter of ${length} octets exceeds the 16-bit Length`, path);
    this.set16(start + 2, length);
    if (padAfter) this.pad(start, path);
  }

  /** Encoded bytes (from 0 to the current position); a copy unless writing into a given buffer. */
  result(): Uint8Array {
    return this.fixed ? this.buf : this.buf.slice(0, this.pos);
  }

  /** Done with this writer: a borrowed buffer goes back for the next one. Call after `result()`. */
  release(): void {
    if (this.borrowed) {
      this.borrowed = false;
      spare = this.buf;
    }
  }
}

/**
 * A copy of octets [start, end) as a plain Uint8Array. `Buffer#slice` would return a view of the
 * input instead, and decoded values must never alias the caller's buffer.
 */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}

/** Hex of a byte string, for messages. */
export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
