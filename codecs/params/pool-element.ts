/**
 * Pool Element parameter (0x000a), RFC 5354 §3.10: PE Identifier, Home ENRP Server Identifier,
 * Registration Life, then the user transport, the selection policy and — in ENRP messages only —
 * the PE's ASAP transport.
 */
import { EncodeError, ERR } from '../errors.js';
import { readPoolElementFixed } from '../layouts.js';
import type { PoolElement, TransportParameter } from '../types.js';
import { ParamWalker, pad4, type DecodeContext, type Tlv, type Writer } from '../wire.js';
import { beginParam, paramCodec } from './codec.js';
import { policyLength, readPolicy, writePolicy } from './policy.js';
import { isTransport, readTransport, transportLength, writeTransport } from './transport.js';

/**
 * Where a PE's ASAP transport may appear: ASAP messages must not carry it (REG-9), ENRP messages
 * must (rsplib refuses either mistake with its private cause 0xf006), pre-RFC messages may.
 */
export type AsapTransportRule = 'forbidden' | 'required' | 'optional';

/** Read a Pool Element parameter. */
export function readPoolElement(ctx: DecodeContext, tlv: Tlv, path: string, rule: AsapTransportRule): PoolElement {
  if (tlv.length < 16) ctx.fail(ERR.tlvLengthTooSmall, `pool element needs at least 16 octets, has ${tlv.length}`, tlv.start + 2, path, tlv);
  const fixed = readPoolElementFixed(ctx.bytes, tlv.valueStart);
  const w = new ParamWalker(ctx, tlv.valueStart + 12, tlv.end, path);
  const first = w.take();
  if (first === null) ctx.fail(ERR.missingParameter, 'pool element without a user transport', tlv.valueStart + 12, `${path}.userTransport`, tlv);
  if (!isTransport(first.name)) {
    ctx.fail(ERR.unexpectedParameter, `expected a user transport, found ${first.name}`, first.tlv.start, `${path}.userTransport`, first.tlv);
  }
  const userTransport = readTransport(ctx, first.tlv, first.name, `${path}.userTransport`);
  const policy = readPolicy(ctx, w.expect('policy', `${path}.policy`), `${path}.policy`);
  let asapTransport: TransportParameter | undefined;
  const third = w.peek();
  if (third !== null && isTransport(third.name)) {
    w.take();
    if (rule === 'forbidden') {
      ctx.fail(ERR.asapTransport, 'an ASAP message must not carry the PE\'s ASAP transport', third.tlv.start, `${path}.asapTransport`, third.tlv);
    }
    asapTransport = readTransport(ctx, third.tlv, third.name, `${path}.asapTransport`);
  } else if (rule === 'required') {
    ctx.fail(ERR.asapTransport, 'a pool element in an ENRP message must carry the PE\'s ASAP transport', w.pos, `${path}.asapTransport`, tlv);
  }
  w.done();
  const pe: PoolElement = {
    peId: fixed.peId,
    homeRegistrarId: fixed.homeRegistrarId,
    registrationLife: fixed.registrationLife,
    userTransport,
    policy,
  };
  return asapTransport ? { ...pe, asapTransport } : pe;
}

/** Write a Pool Element parameter (each nested parameter padded, so Length covers their padding). */
export function writePoolElement(w: Writer, pe: PoolElement, path: string): void {
  const start = beginParam(w, 'poolElement', path);
  w.u32(check32(pe.peId, `${path}.peId`), path);
  w.u32(check32(pe.homeRegistrarId, `${path}.homeRegistrarId`), path);
  w.u32(check32(pe.registrationLife, `${path}.registrationLife`), path);
  writeTransport(w, pe.userTransport, `${path}.userTransport`);
  writePolicy(w, pe.policy, `${path}.policy`);
  if (pe.asapTransport) writeTransport(w, pe.asapTransport, `${path}.asapTransport`);
  w.end(start, path);
}

function check32(v: number, path: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new EncodeError(`${v} is not an unsigned 32-bit integer`, path);
  return v;
}

/** Encoded length of a Pool Element parameter. */
export function poolElementLength(pe: PoolElement): number {
  let n = 16 + pad4(transportLength(pe.userTransport));
  if (pe.asapTransport) n += pad4(policyLength(pe.policy)) + transportLength(pe.asapTransport);
  else n += policyLength(pe.policy);
  return n;
}

/** Pool Element parameter codec; the ASAP transport is accepted when present. */
export const poolElementParameter = paramCodec<PoolElement>({
  name: 'poolElement',
  read: (ctx, tlv, path) => readPoolElement(ctx, tlv, path, 'optional'),
  write: writePoolElement,
  length: poolElementLength,
});
