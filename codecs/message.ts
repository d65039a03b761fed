/**
 * Whole ASAP and ENRP messages: the common header (RFC 5352 §2.1, RFC 5353 §2), Message Length and
 * its padding rule (wire-format §2), flags, and the choice between RFC and pre-RFC numbering.
 */
import { CAUSE } from './constants.js';
import { DecodeError, EncodeError, ERR } from './errors.js';
import { readEnrpIds, readMessageHeader } from './layouts.js';
import { ASAP_SPECS } from './messages/asap.js';
import { ENRP_SPECS } from './messages/enrp.js';
import type { MessageSpec } from './messages/spec.js';
import type { Decoded, Message, Profile, Protocol } from './types.js';
import { DecodeContext, pad4, ParamWalker, Writer, type Mode, type Tolerance, type UnknownParameter, copyBytes } from './wire.js';

/** Options of {@link decode}. */
export interface DecodeOptions {
  /** ASAP or ENRP: the SCTP PPID (11/12) or the UDP port decides; the type codes overlap. */
  readonly protocol: Protocol;
  /** `strict` (default) rejects what the RFC forbids; `lenient` accepts what rsplib accepts and lists it. */
  readonly mode?: Mode;
  /** Parameter numbering: RFC 5354 (default), the 2007 pre-RFC one, or `auto` (RFC, else legacy). */
  readonly profile?: Profile | 'auto';
  /** Where the message starts in `bytes` (default 0). */
  readonly offset?: number;
  /** Octets available from `offset` (default: the rest of `bytes`). */
  readonly length?: number;
  /** Accept octets after the message without complaint (e.g. when decoding a stream of messages). */
  readonly allowTrailing?: boolean;
}

/** A decoded message with everything a receiver needs to act on it. */
export interface DecodeResult extends Decoded<Message> {
  /** Which numbering the message used. */
  readonly profile: Profile;
  /** What lenient mode accepted that strict mode would reject (always empty in strict mode). */
  readonly tolerated: readonly Tolerance[];
  /** Unrecognised parameters that were skipped (action bits 10 and 11). */
  readonly skipped: readonly UnknownParameter[];
  /** Of those, the ones to report back (action bits 11): cause Unrecognized Parameter, per RFC 5354 §2. */
  readonly toReport: readonly UnknownParameter[];
}

/** Per-spec flag data, computed once instead of per message. */
interface FlagInfo {
  readonly all: number;
  readonly letters: readonly (readonly [string, number])[];
}
const FLAGS = new Map<MessageSpec, FlagInfo>(
  [...ASAP_SPECS, ...ENRP_SPECS].map((s) => [s, { all: Object.values(s.flagBits).reduce((a, b) => a | b, 0), letters: Object.entries(s.flagBits) }]),
);

const byCode = (specs: readonly MessageSpec[]) => new Map(specs.map((s) => [s.code, s]));
const byType = (specs: readonly MessageSpec[]) => new Map(specs.map((s) => [s.type as string, s]));
const DECODE_SPECS: Readonly<Record<Protocol, ReadonlyMap<number, MessageSpec>>> = { asap: byCode(ASAP_SPECS), enrp: byCode(ENRP_SPECS) };
const ENCODE_SPECS: Readonly<Record<Protocol, ReadonlyMap<string, MessageSpec>>> = { asap: byType(ASAP_SPECS), enrp: byType(ENRP_SPECS) };

/** Decode one ASAP or ENRP message. Throws only {@link DecodeError}. */
export function decode(bytes: Uint8Array, options: DecodeOptions): DecodeResult {
  const r = tryDecode(bytes, options);
  if (r instanceof DecodeError) throw r;
  return r;
}

/**
 * {@link decode}, returning the DecodeError it would throw instead of throwing it. Throwing an
 * Error is the single most expensive step of rejecting a malformed message; callers that expect
 * most inputs to be malformed (the parser fuzzer) avoid the throws that only carry the error to
 * them. Anything else a decoder bug might throw still propagates. Not part of the package API.
 *
 * @internal
 */
export function tryDecode(bytes: Uint8Array, options: DecodeOptions): DecodeResult | DecodeError {
  const profile = options.profile ?? 'rfc';
  if (profile !== 'auto') return decodeAs(bytes, options, profile);
  const rfc = decodeAs(bytes, options, 'rfc');
  // Only a message that is complete and of a known type can be a pre-RFC one.
  if (!(rfc instanceof DecodeError) || rfc.code === ERR.incomplete || rfc.code === ERR.unknownMessageType) return rfc;
  let legacy: DecodeResult | DecodeError;
  try {
    legacy = decodeAs(bytes, options, 'legacy');
  } catch {
    // Whatever the pre-RFC reading runs into, the answer is the RFC reading's error.
    return rfc;
  }
  return legacy instanceof DecodeError ? rfc : legacy;
}

function decodeAs(bytes: Uint8Array, options: DecodeOptions, profile: Profile): DecodeResult | DecodeError {
  const offset = options.offset ?? 0;
  const avail = options.length ?? bytes.length - offset;
  const protocol = options.protocol;
  if (offset < 0 || avail < 0 || offset + avail > bytes.length) {
    return new DecodeError(ERR.incomplete, `window ${offset}+${avail} lies outside the ${bytes.length}-octet buffer`, {
      offset: Math.max(0, Math.min(offset, bytes.length)),
      path: '',
      cause: null,
      needed: offset + avail,
    });
  }
  if (avail < 4) {
    return new DecodeError(ERR.incomplete, `message header needs 4 octets, ${avail} available`, { offset, path: '', cause: null, needed: offset + 4 });
  }
  const header = readMessageHeader(bytes, offset);
  const s = DECODE_SPECS[protocol].get(header.type);
  if (s === undefined) {
    // An unknown type is answered with Unrecognized Message carrying the message (RFC 5352/5353);
    // rsplib ignores it silently.
    return new DecodeError(ERR.unknownMessageType, `${protocol} message type 0x${header.type.toString(16)} is not defined`, {
      offset,
      path: '',
      cause: { code: CAUSE.unrecognizedMessage, info: copyBytes(bytes, offset, offset + Math.min(avail, Math.max(header.length, 4))) },
    });
  }
  const typeName = s.type;
  const ctx = new DecodeContext(bytes, options.mode ?? 'strict', profile);
  const L = header.length;
  // Message Length counts the header, so 4 is the least; each type adds its fixed fields.
  if (L < 4 + s.fixedLength) {
    return ctx.error(ERR.messageLengthTooSmall, `message length ${L} is below the ${4 + s.fixedLength} octets of a ${typeName}`, offset + 2, typeName);
  }
  if (L > avail) {
    return new DecodeError(ERR.incomplete, `message length ${L} exceeds the ${avail} octets available`, {
      offset: offset + 2,
      path: typeName,
      cause: { code: CAUSE.invalidValues, info: new Uint8Array(0) },
      needed: offset + L,
    });
  }
  return readMessage(bytes, options, profile, ctx, s, header.flags, offset, L, avail);
}

/**
 * The part of decoding after the header checks: flags, fixed fields, parameters, padding.
 *
 * Parameter readers report errors by throwing (they are many calls deep); the throws end here, so
 * one throw is paid for a malformed parameter. The catch is in this function on purpose: V8 only
 * considers a function for optimisation when it returns or loops, so a function that most fuzzing
 * inputs leave by a throw passing through it would stay in the interpreter (measured: a fifth of
 * all fuzzing time).
 */
function readMessage(bytes: Uint8Array, options: DecodeOptions, profile: Profile, ctx: DecodeContext, s: MessageSpec, headerFlags: number, offset: number, L: number, avail: number): DecodeResult | DecodeError {
  try {
    const protocol = options.protocol;
    const typeName = s.type;
    const { all: allBits, letters } = FLAGS.get(s)!;
    const reservedFlags = headerFlags & ~allBits;
    if (reservedFlags !== 0) {
      // Undefined flag bits are sent as zero; receivers ignore them, so only strict mode objects.
      ctx.violation(ERR.reservedNonZero, `undefined flag bits 0x${reservedFlags.toString(16)}`, offset + 1, `${typeName}.flags`);
    }
    const flags: Record<string, boolean> = {};
    for (const [letter, bit] of letters) flags[letter] = (headerFlags & bit) !== 0;

    const fixed = offset + 4;
    const params = new ParamWalker(ctx, fixed + s.fixedLength, offset + L, typeName, true);
    const body = s.read({ ctx, params, fixed, flags, path: typeName });
    params.done();

    // rsplib counts the last parameter's padding in Message Length, the RFC reading may not: both
    // are accepted, and the message then ends at the padded length when those octets are present.
    const end = offset + Math.min(pad4(L), avail);
    for (let i = offset + L; i < end; i++) {
      if (bytes[i] !== 0) {
        ctx.violation(ERR.badPadding, `non-zero padding octet after the message`, i, typeName);
        break;
      }
    }
    if (!options.allowTrailing && offset + avail > end) {
      ctx.violation(ERR.trailingBytes, `${offset + avail - end} octets after the end of the message`, end, typeName);
    }

    const message: Record<string, unknown> = { protocol };
    if (profile === 'legacy') message.profile = 'legacy';
    if (reservedFlags !== 0) message.reservedFlags = reservedFlags;
    if (allBits !== 0) message.flags = flags;
    if (protocol === 'enrp') {
      const ids = readEnrpIds(bytes, fixed);
      message.senderId = ids.senderId;
      message.receiverId = ids.receiverId;
    }
    Object.assign(message, body);
    return {
      value: message as unknown as Message,
      bytesRead: end - offset,
      profile,
      tolerated: ctx.tolerated,
      skipped: ctx.unknown,
      toReport: ctx.unknown.filter((u) => u.report),
    };
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
}

function specFor(m: Message): MessageSpec {
  const s = ENCODE_SPECS[m.protocol]?.get(m.type);
  if (!s) throw new EncodeError(`unknown ${String(m.protocol)} message type ${String(m.type)}`, '');
  return s;
}

/** Octets `encode(m)` produces (Message Length, padding included). */
export function encodingLength(m: Message): number {
  return 4 + specFor(m).bodyLength(m, m.profile === 'legacy');
}

/**
 * Encode a message canonically, as rsplib writes it: every parameter padded and Message Length
 * counting the last padding. Into `buf` at `offset` when given, else a fresh buffer.
 */
export function encode(m: Message, buf?: Uint8Array, offset = 0): Uint8Array {
  const s = specFor(m);
  const w = new Writer(m.profile === 'legacy', buf, offset);
  try {
    const path = m.type;
    let flags = m.reservedFlags ?? 0;
    const named = (m as { flags?: Record<string, boolean> }).flags;
    if (named) for (const [letter, bit] of FLAGS.get(s)!.letters) if (named[letter]) flags |= bit;
    if (flags > 0xff || flags < 0) throw new EncodeError(`flags 0x${flags.toString(16)} do not fit an octet`, `${path}.flags`);
    w.u8(s.code, path);
    w.u8(flags, path);
    w.u16(0, path);
    if (m.protocol === 'enrp') {
      writeServerId(w, m.senderId, 'senderId', path);
      writeServerId(w, m.receiverId, 'receiverId', path);
    }
    s.write(w, m, path);
    const length = w.pos - offset;
    if (length > 0xffff) throw new EncodeError(`message of ${length} octets exceeds the 16-bit Message Length`, path);
    w.set16(offset + 2, length);
    return buf ? buf : w.result();
  } finally {
    w.release();
  }
}

function writeServerId(w: Writer, v: number, k: 'senderId' | 'receiverId', path: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new EncodeError(`${k} ${v} is not 32-bit`, `${path}.${k}`);
  w.u32(v, path);
}

/** Offset of the first parameter in an encoded message (4 + the type's fixed fields; 4 if unknown). */
export function parameterOffset(protocol: Protocol, bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  return 4 + (DECODE_SPECS[protocol].get(bytes[0]!)?.fixedLength ?? 0);
}
