/** IPv4 Address (0x0001) and IPv6 Address (0x0002) parameters, RFC 5354 §3.1–3.2. */
import { EncodeError, ERR } from '../errors.js';
import { ipv4FromText, ipv4ToText, ipv6FromText, ipv6ToText } from '../ip-text.js';
import type { Address } from '../types.js';
import type { DecodeContext, Tlv, Writer } from '../wire.js';
import { beginParam, paramCodec, type ParamParts } from './codec.js';

const IPV4_LENGTH = 8;
const IPV6_LENGTH = 20;

/** Read either address parameter (the walker already told which by `name`). */
export function readAddress(ctx: DecodeContext, tlv: Tlv, name: 'ipv4Address' | 'ipv6Address', path: string): Address {
  const want = name === 'ipv4Address' ? IPV4_LENGTH : IPV6_LENGTH;
  // The Length of an address parameter is fixed. rsplib skips extra octets after the address, and
  // fails a short one with "invalid value"; only the first is tolerable.
  if (tlv.length < want) ctx.fail(ERR.badLength, `${name} length ${tlv.length}, must be ${want}`, tlv.start + 2, path, tlv);
  if (tlv.length > want) ctx.violation(ERR.badLength, `${name} length ${tlv.length}, must be ${want}`, tlv.start + 2, path, tlv);
  return name === 'ipv4Address'
    ? { family: 'ipv4', address: ipv4ToText(ctx.bytes, tlv.valueStart) }
    : { family: 'ipv6', address: ipv6ToText(ctx.bytes, tlv.valueStart) };
}

/** Write an address parameter. */
export function writeAddress(w: Writer, a: Address, path: string): void {
  const octets = a.family === 'ipv4' ? ipv4FromText(a.address) : ipv6FromText(a.address);
  if (!octets) throw new EncodeError(`not an ${a.family} address: ${JSON.stringify(a.address)}`, path);
  const start = beginParam(w, a.family === 'ipv4' ? 'ipv4Address' : 'ipv6Address', path);
  w.bytes(octets, path);
  w.end(start, path);
}

/** Encoded length of an address parameter. */
export const addressLength = (a: Address): number => (a.family === 'ipv4' ? IPV4_LENGTH : IPV6_LENGTH);

function parts(name: 'ipv4Address' | 'ipv6Address'): ParamParts<Address> {
  return {
    name,
    read: (ctx, tlv, path) => readAddress(ctx, tlv, name, path),
    write: writeAddress,
    length: addressLength,
  };
}

/** IPv4 Address parameter codec. */
export const ipv4Address = paramCodec(parts('ipv4Address'));
/** IPv6 Address parameter codec. */
export const ipv6Address = paramCodec(parts('ipv6Address'));
