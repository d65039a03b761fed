/**
 * The shape every TLV codec exports (after dns-packet): `encode`, `decode` → `{ value, bytesRead }`,
 * `encodingLength`. Built from a parameter's read/write/length functions.
 */
import { LEGACY_PARAM, PARAM } from '../constants.js';
import { DecodeError, EncodeError, ERR } from '../errors.js';
import type { Decoded, Profile } from '../types.js';
import { checkPadding, DecodeContext, readTlv, Writer, type Mode, type Tlv } from '../wire.js';

/** Options for decoding one parameter on its own. */
export interface ParamDecodeOptions {
  readonly mode?: Mode;
  readonly profile?: Profile;
  /** Octets available from `offset`; defaults to the rest of the buffer. */
  readonly length?: number;
}

/** The public face of one parameter codec. */
export interface ParamCodec<T> {
  /** Wire length of `value` without its trailing padding. */
  encodingLength(value: T, profile?: Profile): number;
  /** Encode into `buf` at `offset`, or into a fresh buffer (padding not included). */
  encode(value: T, buf?: Uint8Array, offset?: number, profile?: Profile): Uint8Array;
  /** Decode the parameter at `offset`; `bytesRead` includes padding present in the buffer. */
  decode(bytes: Uint8Array, offset?: number, options?: ParamDecodeOptions): Decoded<T>;
}

/** Internal parts of a parameter codec. */
export interface ParamParts<T> {
  /** Parameter name used in paths and for the type check. */
  readonly name: Parameters<DecodeContext['wireType']>[0];
  read(ctx: DecodeContext, tlv: Tlv, path: string): T;
  write(w: Writer, value: T, path: string): void;
  length(value: T, legacy: boolean): number;
}

/** Build the public codec from the internal parts. */
export function paramCodec<T>(parts: ParamParts<T>): ParamCodec<T> {
  return {
    encodingLength: (value, profile = 'rfc') => parts.length(value, profile === 'legacy'),
    encode(value, buf, offset = 0, profile = 'rfc') {
      const legacy = profile === 'legacy';
      const w = new Writer(legacy);
      try {
        parts.write(w, value, parts.name);
        // A standalone parameter ends at its Length; padding belongs to whatever follows it.
        const out = w.buf.subarray(0, parts.length(value, legacy));
        if (!buf) return out.slice();
        if (offset + out.length > buf.length) {
          throw new EncodeError(`buffer too small: need ${offset + out.length} octets, have ${buf.length}`, parts.name);
        }
        buf.set(out, offset);
        return buf;
      } finally {
        w.release();
      }
    },
    decode(bytes, offset = 0, options = {}) {
      const ctx = new DecodeContext(bytes, options.mode ?? 'strict', options.profile ?? 'rfc');
      const limit = offset + (options.length ?? bytes.length - offset);
      if (limit > bytes.length || offset + 4 > limit) {
        throw new DecodeError(ERR.incomplete, 'parameter header needs 4 octets', {
          offset,
          path: parts.name,
          cause: null,
          needed: offset + 4,
        });
      }
      const declared = ctx.u16(offset + 2);
      if (declared >= 4 && offset + declared > limit) {
        throw new DecodeError(ERR.incomplete, `parameter declares ${declared} octets, ${limit - offset} available`, {
          offset: offset + 2,
          path: parts.name,
          cause: null,
          needed: offset + declared,
        });
      }
      const tlv = readTlv(ctx, offset, limit, parts.name);
      const expected = ctx.wireType(parts.name);
      if (tlv.type !== expected) {
        ctx.fail(ERR.unexpectedParameter, `expected ${parts.name} (0x${expected?.toString(16)}), found type 0x${tlv.type.toString(16)}`, offset, parts.name, tlv);
      }
      const value = parts.read(ctx, tlv, parts.name);
      checkPadding(ctx, tlv, parts.name);
      return { value, bytesRead: tlv.next - offset };
    },
  };
}

/** Start a TLV of `name` in this writer's profile, or fail: some parameters have no legacy form. */
export function beginParam(w: Writer, name: ParamParts<unknown>['name'], path: string): number {
  const type = wireTypeFor(w.legacy, name);
  return w.begin(type, path);
}

/** Wire type of `name` in the given profile. */
export function wireTypeFor(legacy: boolean, name: ParamParts<unknown>['name']): number {
  const type = legacy ? (LEGACY_PARAM as Partial<Record<string, number>>)[name] : PARAM[name];
  if (type === undefined) throw new EncodeError(`${name} has no pre-RFC (legacy) encoding`, name);
  return type;
}
