/**
 * Every parameter codec on its own: a round-trip example and its property twin
 * (decode(encode(v)) equals v, encodingLength agrees, bytesRead covers the padding).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as A from '../../codecs/arbitraries.js';
import {
  cookieParameter,
  dccpTransport,
  handleResolutionOptionParameter,
  ipv4Address,
  ipv6Address,
  operationErrorParameter,
  peChecksumParameter,
  peIdentifierParameter,
  policyParameter,
  poolElementParameter,
  poolHandleParameter,
  sctpTransport,
  serverInformationParameter,
  tcpTransport,
  udpLiteTransport,
  udpTransport,
  type Address,
  type ParamCodec,
  type TransportParameter,
} from '../../codecs/index.js';
import { runs } from '../support/fc.js';
import { fromHex, toHex } from '../support/hex.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const onlyKind = (kind: TransportParameter['transport']) => A.transport.filter((t) => t.transport === kind);
const ofFamily = (f: Address['family']) => A.address.filter((a) => a.family === f);

const CODECS: [string, ParamCodec<never>, fc.Arbitrary<unknown>][] = [
  ['IPv4 Address', ipv4Address as ParamCodec<never>, ofFamily('ipv4')],
  ['IPv6 Address', ipv6Address as ParamCodec<never>, ofFamily('ipv6')],
  ['SCTP Transport', sctpTransport as ParamCodec<never>, onlyKind('sctp')],
  ['TCP Transport', tcpTransport as ParamCodec<never>, onlyKind('tcp')],
  ['UDP Transport', udpTransport as ParamCodec<never>, onlyKind('udp')],
  ['UDP-Lite Transport', udpLiteTransport as ParamCodec<never>, onlyKind('udpLite')],
  ['DCCP Transport', dccpTransport as ParamCodec<never>, onlyKind('dccp')],
  ['Pool Member Selection Policy', policyParameter as ParamCodec<never>, A.policy],
  ['Pool Handle', poolHandleParameter as ParamCodec<never>, A.poolHandle],
  ['Pool Element (ASAP form)', poolElementParameter as ParamCodec<never>, A.poolElement(false)],
  ['Pool Element (ENRP form)', poolElementParameter as ParamCodec<never>, A.poolElement(true)],
  ['Server Information', serverInformationParameter as ParamCodec<never>, A.serverInformation],
  ['Operation Error', operationErrorParameter as ParamCodec<never>, A.operationError],
  ['Cookie', cookieParameter as ParamCodec<never>, fc.uint8Array({ minLength: 1, maxLength: 40 })],
  ['PE Identifier', peIdentifierParameter as ParamCodec<never>, u32],
  ['PE Checksum', peChecksumParameter as ParamCodec<never>, fc.integer({ min: 0, max: 0xffff })],
  ['Handle Resolution Option', handleResolutionOptionParameter as ParamCodec<never>, u32],
];

describe('parameter codecs: property round trip', () => {
  for (const [name, codec, arb] of CODECS) {
    it(name, () => {
      fc.assert(
        fc.property(arb, (v) => {
          const b = codec.encode(v as never);
          expect(b.length).toBe(codec.encodingLength(v as never));
          const padded = new Uint8Array((b.length + 3) & ~3);
          padded.set(b);
          const r = codec.decode(padded);
          expect(r.value).toEqual(v);
          expect(r.bytesRead).toBe(padded.length);
          const at = new Uint8Array(3 + b.length);
          codec.encode(v as never, at, 3);
          expect(codec.decode(at, 3).value).toEqual(v);
        }),
        runs(300),
      );
    });
  }
});

describe('parameter codecs: examples', () => {
  it('PE Checksum: Length 6, decodes with or without its padding present', () => {
    expect(toHex(peChecksumParameter.encode(0x8490))).toBe('000f00068490');
    expect(peChecksumParameter.decode(fromHex('000f0006 84900000'))).toEqual({ value: 0x8490, bytesRead: 8 });
    expect(peChecksumParameter.decode(fromHex('000f0006 8490'))).toEqual({ value: 0x8490, bytesRead: 6 });
  });
  it('IPv6 addresses print in RFC 5952 form', () => {
    expect(ipv6Address.decode(fromHex('00020014 20010db8 00000000 00000000 00000001')).value).toEqual({ family: 'ipv6', address: '2001:db8::1' });
    expect(ipv6Address.decode(fromHex('00020014 00000000 00000000 0000ffff 0a000001')).value.address).toBe('::ffff:10.0.0.1');
  });
  it('a wrong parameter type is reported, and an incomplete one says how much is needed', () => {
    expect(() => ipv4Address.decode(fromHex('00020008 0a000001'))).toThrow(/RSP_ERR_UNEXPECTED_PARAMETER/);
    expect(() => ipv4Address.decode(fromHex('00010008 0a00'))).toThrow(/RSP_ERR_INCOMPLETE/);
  });
  it('every policy of RFC 5356 and rsplib has its documented length', () => {
    const lengths: Record<string, number> = { roundRobin: 8, weightedRoundRobin: 12, leastUsedDegradation: 16, weightedRandomDpf: 20, leastUsedDegradationDpf: 24 };
    for (const [name, len] of Object.entries(lengths)) {
      const v = { name, weight: 1, load: 2, loadDegradation: 3, loadDpf: 4, weightDpf: 5, distance: 6, priority: 7 };
      expect(policyParameter.encodingLength(v as never)).toBe(len);
    }
  });
  it('encoding rejects values that do not fit the wire', () => {
    expect(() => peIdentifierParameter.encode(-1)).toThrow(/RSP_ERR_UNENCODABLE/);
    expect(() => ipv4Address.encode({ family: 'ipv4', address: '10.0.0.256' })).toThrow(/RSP_ERR_UNENCODABLE/);
    expect(() => poolHandleParameter.encode(new Uint8Array(0))).toThrow(/RSP_ERR_UNENCODABLE/);
    expect(() => policyParameter.encode({ name: 'leastUsed' })).toThrow(/load/);
  });
});

describe('encode refuses what decode rejects', () => {
  it('a transport without addresses', () => {
    expect(() => sctpTransport.encode({ transport: 'sctp', port: 1, transportUse: 'dataOnly', addresses: [] })).toThrow(/at least one address/);
  });
});
