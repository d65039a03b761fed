/**
 * The five transport parameters, RFC 5354 §3.3–3.7: DCCP (0x0003), SCTP (0x0004), TCP (0x0005),
 * UDP (0x0006), UDP-Lite (0x0007). A port, a Transport Use (SCTP, TCP) or reserved word, a DCCP
 * service code, then address parameters.
 */
import { TRANSPORT_USE, type ParamName } from '../constants.js';
import { EncodeError, ERR } from '../errors.js';
import { readTransportFixed } from '../layouts.js';
import type { Address, TransportParameter, TransportUse } from '../types.js';
import { ParamWalker, type DecodeContext, type Tlv, type Writer } from '../wire.js';
import { addressLength, readAddress, writeAddress } from './address.js';
import { beginParam, paramCodec, type ParamParts } from './codec.js';

/** Parameter name of each transport kind. */
export const TRANSPORT_PARAM: Readonly<Record<TransportParameter['transport'], ParamName>> = Object.freeze({
  dccp: 'dccpTransport',
  sctp: 'sctpTransport',
  tcp: 'tcpTransport',
  udp: 'udpTransport',
  udpLite: 'udpLiteTransport',
});
const KIND_OF = new Map<ParamName, TransportParameter['transport']>(
  Object.entries(TRANSPORT_PARAM).map(([k, v]) => [v, k as TransportParameter['transport']]),
);

/** Is this parameter one of the transport parameters? */
export const isTransport = (name: ParamName): boolean => KIND_OF.has(name);

const USE_NAME: ReadonlyMap<number, TransportUse> = new Map([
  [TRANSPORT_USE.dataOnly, 'dataOnly'],
  [TRANSPORT_USE.dataPlusControl, 'dataPlusControl'],
]);

/** Read any transport parameter. */
export function readTransport(ctx: DecodeContext, tlv: Tlv, name: ParamName, path: string): TransportParameter {
  const kind = KIND_OF.get(name)!;
  const fixed = kind === 'dccp' ? 8 : 4;
  if (tlv.length < 4 + fixed) {
    ctx.fail(ERR.tlvLengthTooSmall, `${name} needs at least ${4 + fixed} octets, has ${tlv.length}`, tlv.start + 2, path, tlv);
  }
  const { port, use } = readTransportFixed(ctx.bytes, tlv.valueStart);
  const addresses = readAddresses(ctx, tlv, tlv.valueStart + fixed, kind, path);
  switch (kind) {
    case 'sctp':
    case 'tcp': {
      const transportUse = USE_NAME.get(use);
      // Transport Use has exactly two defined values (RFC 5354 §3.4/3.5); there is no third reading.
      if (transportUse === undefined) {
        ctx.fail(ERR.valueOutOfRange, `transport use ${use} is neither 0 (data only) nor 1 (data plus control)`, tlv.valueStart + 2, `${path}.transportUse`, tlv);
      }
      return { transport: kind, port, transportUse, addresses };
    }
    case 'dccp':
      checkReserved(ctx, use, tlv, path);
      return { transport: 'dccp', port, serviceCode: ctx.u32(tlv.valueStart + 4), addresses };
    default:
      checkReserved(ctx, use, tlv, path);
      return { transport: kind, port, addresses };
  }
}

function checkReserved(ctx: DecodeContext, reserved: number, tlv: Tlv, path: string): void {
  // Reserved fields are sent as zero; a receiver has no use for them, so only strict mode objects.
  if (reserved !== 0) ctx.violation(ERR.reservedNonZero, `reserved field is 0x${reserved.toString(16)}`, tlv.valueStart + 2, `${path}.reserved`, tlv);
}

function readAddresses(ctx: DecodeContext, tlv: Tlv, start: number, kind: TransportParameter['transport'], path: string): Address[] {
  const walker = new ParamWalker(ctx, start, tlv.end, `${path}.addresses`);
  const addresses: Address[] = [];
  for (let p = walker.take(); p !== null; p = walker.take()) {
    const apath = `${path}.addresses[${addresses.length}]`;
    if (p.name !== 'ipv4Address' && p.name !== 'ipv6Address') {
      ctx.fail(ERR.unexpectedParameter, `a transport parameter holds only addresses, found ${p.name}`, p.tlv.start, apath, p.tlv);
    }
    addresses.push(readAddress(ctx, p.tlv, p.name, apath));
  }
  // Every transport names at least one address (RFC 5354 §3.3–3.7).
  if (addresses.length === 0) ctx.fail(ERR.missingParameter, 'transport parameter without an address', tlv.start, `${path}.addresses`, tlv);
  // Only SCTP is multi-homed; the others carry exactly one address. rsplib's check is off by one
  // (two pass, three fail), so a second address is the one thing lenient mode lets through.
  if (kind !== 'sctp' && addresses.length > 1) {
    const detail = `${kind} transport carries ${addresses.length} addresses, at most 1 allowed`;
    if (addresses.length > 2) ctx.fail(ERR.tooManyParameters, detail, tlv.start, `${path}.addresses`, tlv);
    ctx.violation(ERR.tooManyParameters, detail, tlv.start, `${path}.addresses`, tlv);
  }
  return addresses;
}

/** Write any transport parameter. */
export function writeTransport(w: Writer, t: TransportParameter, path: string): void {
  checkPort(t.port, path);
  // Every transport names at least one address; encoding none would produce what decode rejects.
  if (t.addresses.length === 0) throw new EncodeError('a transport parameter needs at least one address', `${path}.addresses`);
  const start = beginParam(w, TRANSPORT_PARAM[t.transport], path);
  w.u16(t.port, path);
  if (t.transport === 'sctp' || t.transport === 'tcp') {
    w.u16(TRANSPORT_USE[t.transportUse], path);
  } else {
    w.u16(0, path);
  }
  if (t.transport === 'dccp') w.u32(t.serviceCode >>> 0, path);
  t.addresses.forEach((a, i) => writeAddress(w, a, `${path}.addresses[${i}]`));
  w.end(start, path);
}

function checkPort(port: number, path: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new EncodeError(`port ${port} is not a 16-bit number`, path);
}

/** Encoded length of a transport parameter. */
export function transportLength(t: TransportParameter): number {
  let n = t.transport === 'dccp' ? 12 : 8;
  for (const a of t.addresses) n += addressLength(a); // address TLVs are multiples of 4: no padding
  return n;
}

function parts(kind: TransportParameter['transport']): ParamParts<TransportParameter> {
  const name = TRANSPORT_PARAM[kind];
  return {
    name,
    read: (ctx, tlv, path) => readTransport(ctx, tlv, name, path),
    write: writeTransport,
    length: transportLength,
  };
}

/** SCTP Transport parameter codec. */
export const sctpTransport = paramCodec(parts('sctp'));
/** TCP Transport parameter codec. */
export const tcpTransport = paramCodec(parts('tcp'));
/** UDP Transport parameter codec. */
export const udpTransport = paramCodec(parts('udp'));
/** UDP-Lite Transport parameter codec. */
export const udpLiteTransport = paramCodec(parts('udpLite'));
/** DCCP Transport parameter codec. */
export const dccpTransport = paramCodec(parts('dccp'));
