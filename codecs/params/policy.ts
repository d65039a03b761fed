/**
 * Pool Member Selection Policy parameter (0x0008), RFC 5354 §3.8 with the policy values of
 * RFC 5356 and rsplib's 0xb000xxxx extras; and its pre-RFC form (legacy 0x0006, wire-format §7).
 */
import { CAUSE, invert, LEGACY_POLICY, POLICY, POLICY_WORDS, RSPLIB_CAUSE } from '../constants.js';
import { DecodeError, EncodeError, ERR } from '../errors.js';
import type { AnyPolicy, LegacyPolicy, Policy, PolicyName } from '../types.js';
import { copyBytes, type DecodeContext, type Tlv, type Writer } from '../wire.js';
import { beginParam, paramCodec } from './codec.js';

const NAME_OF = invert(POLICY);
const LEGACY_NAME_OF = invert(LEGACY_POLICY);

/** Name of a legacy 8-bit policy code, for display. */
export const legacyPolicyName = (code: number): PolicyName | undefined => LEGACY_NAME_OF.get(code);

/** Read a policy parameter in the context's profile. */
export function readPolicy(ctx: DecodeContext, tlv: Tlv, path: string): AnyPolicy {
  // The type word is mandatory in both encodings.
  if (tlv.length < 8) ctx.fail(ERR.tlvLengthTooSmall, `policy parameter needs 8 octets, has ${tlv.length}`, tlv.start + 2, path, tlv);
  if (ctx.legacy) return readLegacyPolicy(ctx, tlv, path);
  const code = ctx.u32(tlv.valueStart);
  const name = NAME_OF.get(code);
  if (name === undefined) {
    throw new DecodeError(ERR.unknownPolicy, `policy type 0x${code.toString(16).padStart(8, '0')} is not defined`, {
      offset: tlv.valueStart,
      path: `${path}.type`,
      cause: { code: CAUSE.invalidValues, info: copyBytes(ctx.bytes, tlv.start, tlv.end) },
      rsplibCause: RSPLIB_CAUSE.unsupportedPoolPolicy,
    });
  }
  const words = POLICY_WORDS[name];
  const want = 8 + 4 * words.length;
  if (tlv.length < want) {
    // rsplib answers a short WRAND or RLU policy with "invalid values", the rest with its private 0x0011.
    const rsplibCause = name === 'weightedRandom' || name === 'randomizedLeastUsed' ? CAUSE.invalidValues : RSPLIB_CAUSE.invalidValue;
    throw new DecodeError(ERR.badLength, `${name} needs ${want} octets, has ${tlv.length}`, {
      offset: tlv.start + 2,
      path,
      cause: { code: CAUSE.invalidValues, info: copyBytes(ctx.bytes, tlv.start, tlv.end) },
      rsplibCause,
    });
  }
  // Longer than the policy needs: rsplib ignores the extra octets; the RFC layout has none.
  if (tlv.length > want) ctx.violation(ERR.badLength, `${name} needs ${want} octets, has ${tlv.length}`, tlv.start + 2, path, tlv);
  const policy: Record<string, number | string> = { name };
  words.forEach((w, i) => {
    policy[w] = ctx.u32(tlv.valueStart + 4 + 4 * i);
  });
  return policy as unknown as Policy;
}

function readLegacyPolicy(ctx: DecodeContext, tlv: Tlv, path: string): LegacyPolicy {
  // Legacy: one octet of policy type, 24 bits of value, then whole words (wire-format §7).
  if ((tlv.length - 8) % 4 !== 0) ctx.fail(ERR.badLength, `legacy policy length ${tlv.length} is not 8 + 4k`, tlv.start + 2, path, tlv);
  const first = ctx.u32(tlv.valueStart);
  const extraWords: number[] = [];
  for (let o = tlv.valueStart + 4; o < tlv.end; o += 4) extraWords.push(ctx.u32(o));
  return { name: 'legacy', legacyType: first >>> 24, value: first & 0xffffff, extraWords };
}

/** Write a policy parameter; a legacy policy only in the legacy profile and vice versa. */
export function writePolicy(w: Writer, p: AnyPolicy, path: string): void {
  const start = beginParam(w, 'policy', path);
  if (p.name === 'legacy') {
    if (!w.legacy) throw new EncodeError('a legacy policy needs the legacy profile', path);
    if (p.legacyType > 0xff || p.value > 0xffffff) throw new EncodeError('legacy policy type or value out of range', path);
    w.u32(((p.legacyType << 24) | p.value) >>> 0, path);
    for (const x of p.extraWords) w.u32(x >>> 0, path);
  } else {
    if (w.legacy) throw new EncodeError('an RFC policy has no legacy encoding here; give a legacy policy', path);
    const code = POLICY[p.name];
    if (code === undefined) throw new EncodeError(`unknown policy ${String(p.name)}`, path);
    w.u32(code, path);
    for (const word of POLICY_WORDS[p.name]) {
      const v = p[word];
      if (v === undefined || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new EncodeError(`${p.name} needs ${word} as an unsigned 32-bit integer, got ${String(v)}`, `${path}.${word}`);
      }
      w.u32(v, path);
    }
  }
  w.end(start, path);
}

/** Encoded length of a policy parameter. */
export function policyLength(p: AnyPolicy): number {
  return p.name === 'legacy' ? 8 + 4 * p.extraWords.length : 8 + 4 * POLICY_WORDS[p.name].length;
}

/** Pool Member Selection Policy parameter codec. */
export const policyParameter = paramCodec<AnyPolicy>({
  name: 'policy',
  read: readPolicy,
  write: writePolicy,
  length: policyLength,
});
